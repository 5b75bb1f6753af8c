"""`python manage.py generate_duties_data [--evidence 100000] [--years 3] [--seed N]`

Responsibilities and duty catalogues for the synthetic city-wide tree of `generate_scale_data`
(root SCALE-ROOT): each 机关党委 gets the demo's 19-item 主体责任清单 and its 5 廉政风险点, each
党支部/党总支 six 支部书记 items (four derived from its meetings), `--evidence` 落实佐证 rows
spread over the last `--years` years, a leader liaising with each branch with about one activity a
quarter, and each department a duty catalogue (30 tasks, 7 boundary divisions, 4 nine-step
flowcharts, 35 post duties, 4 post risk points with a measure each).

Written with bulk_create in one transaction: no audit entries (synthetic data, not records anyone
entered). Derived columns are filled as the services fill them (org_path, period dates, 序号), and
the stored coverage of the list (duties.coverage) is rebuilt at the end.
"""

from __future__ import annotations

import datetime
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.periods import Period
from duties import coverage, demo
from duties.models import (
    BoundaryDivision,
    ControlMeasure,
    Frequency,
    IntegrityRisk,
    LeaderLiaison,
    LiaisonActivity,
    LiaisonKind,
    PostDuty,
    PostRiskPoint,
    ResponsibilityEvidence,
    ResponsibilityItem,
    Subject,
    WorkflowChart,
    WorkflowStep,
    WorkTask,
)
from orgs.management.commands.generate_scale_data import ROOT_CODE
from orgs.models import Department, Organization, Person

BRANCH_TYPES = ("branch", "general_branch", "joint_branch")
BRANCH_ITEMS = [
    ("每季度至少讲1次党课", Frequency.QUARTER, "meetings.kind.party_lecture"),
    ("每月开展主题党日", Frequency.MONTH, "meetings.kind.theme_party_day"),
    ("每季度召开支部党员大会", Frequency.QUARTER, "meetings.kind.branch_general_meeting"),
    ("每年开展民主评议党员", Frequency.YEAR, "meetings.kind.democratic_appraisal"),
    ("每半年向机关党委书面报告支部工作", Frequency.HALF, ""),
    ("每季度开展1次谈心谈话或走访党员", Frequency.QUARTER, ""),
]
KIND_WORDS = {Frequency.MONTH: "本月", Frequency.QUARTER: "本季度", Frequency.HALF: "本半年", Frequency.YEAR: "本年度"}


class Builder:
    def __init__(self, *, evidence: int, years: int, seed: int, batch: int, log):
        self.target = evidence
        self.rng = random.Random(seed)
        self.batch = batch
        self.log = log
        self.today = timezone.localdate()
        self.since = datetime.date(self.today.year - years, self.today.month, 1)

    def run(self) -> dict:
        started = time.monotonic()
        root = Organization.objects.get(code=ROOT_CODE)
        under = Organization.objects.filter(path__startswith=root.path)
        committees = list(under.filter(org_type="committee").exclude(pk=root.pk).order_by("path"))
        branches = list(under.filter(org_type__in=BRANCH_TYPES).order_by("path"))
        with transaction.atomic():
            items = self.items(committees, branches)
            evidence = self.evidence(items)
            activities = self.liaisons(root, branches)
            risks = self.risks(committees)
            catalogue = self.catalogue(root)
        return {
            "items": len(items),
            "evidence": evidence,
            "activities": activities,
            "risks": risks,
            **catalogue,
            "seconds": time.monotonic() - started,
        }

    # ------------------------------------------------------------ 主体责任清单

    def items(self, committees, branches) -> list[ResponsibilityItem]:
        rows = []
        for org in committees:
            for i, (subject, content, frequency, derived, _note) in enumerate(demo.ITEMS, start=1):
                rows.append(
                    ResponsibilityItem(
                        organization=org,
                        org_path=org.path,
                        subject=subject,
                        content=content,
                        frequency=frequency,
                        order=i,
                        derived_from=derived,
                    )
                )
        for org in branches:
            for i, (content, frequency, derived) in enumerate(BRANCH_ITEMS, start=1):
                rows.append(
                    ResponsibilityItem(
                        organization=org,
                        org_path=org.path,
                        subject=Subject.BRANCH_SECRETARY,
                        content=content,
                        frequency=frequency,
                        order=i,
                        derived_from=derived,
                    )
                )
        ResponsibilityItem.objects.bulk_create(rows, batch_size=self.batch)
        self.log(f"  主体责任清单项目 {len(rows)} 项")
        return rows

    def _slots(self, frequency: str) -> list[Period]:
        if frequency == Frequency.ONCE:
            return [Period.containing("year", self.since)]
        result, day = [], self.since
        while True:
            p = Period.containing(frequency, day)
            if p.end >= self.today:
                return result
            if p.start >= self.since:
                result.append(p)
            day = p.end + datetime.timedelta(days=1)

    def evidence(self, items) -> int:
        slots = {f: self._slots(f) for f in Frequency.values}
        candidates = [(item, p) for item in items if not item.derived_from for p in slots[item.frequency]]
        if len(candidates) > self.target:
            candidates = self.rng.sample(candidates, self.target)
        else:  # a second piece of evidence for some periods
            candidates += self.rng.choices(candidates, k=self.target - len(candidates)) if candidates else []
        rows = []
        for item, p in candidates:
            end = min(p.end, self.today)
            day = p.start + datetime.timedelta(days=self.rng.randint(0, (end - p.start).days))
            rows.append(
                ResponsibilityEvidence(
                    item=item,
                    org_path=item.org_path,
                    period_code=p.code,
                    period_start=p.start,
                    period_end=p.end,
                    done_on=day,
                    note=f"{KIND_WORDS.get(item.frequency, '')}按要求落实：{item.content}",
                )
            )
        ResponsibilityEvidence.objects.bulk_create(rows, batch_size=self.batch)
        self.log(f"  落实佐证 {len(rows)} 条")
        return len(rows)

    # ------------------------------------------------------------ 联系支部

    def liaisons(self, root, branches) -> int:
        leaders = list(
            Person.objects.filter(org_path__startswith=root.path, is_leader=True).values_list("pk", "org_path")
        )
        by_committee: dict[str, list[int]] = {}
        for pk, path in leaders:
            by_committee.setdefault(path[: len(root.path) + 7], []).append(pk)
        fallback = [pk for pk, _ in leaders] or list(
            Person.objects.filter(org_path__startswith=root.path).values_list("pk", flat=True)[:100]
        )
        liaisons = []
        start = self.since
        for branch in branches:
            if branch.is_industry:
                continue
            pool = by_committee.get(branch.path[: len(root.path) + 7]) or fallback
            liaisons.append(
                LeaderLiaison(leader_id=self.rng.choice(pool), branch=branch, org_path=branch.path, start_on=start)
            )
        LeaderLiaison.objects.bulk_create(liaisons, batch_size=self.batch)
        kinds = list(LiaisonKind.values)
        activities = []
        quarters = []
        q = Period.containing("quarter", start)
        while q.start <= self.today:
            quarters.append(q)
            q = Period.containing("quarter", q.end + datetime.timedelta(days=1))
        for li in liaisons:
            for q in quarters:
                for _ in range(self.rng.choice((0, 1, 1, 1, 2))):
                    end = min(q.end, self.today)
                    day = q.start + datetime.timedelta(days=self.rng.randint(0, (end - q.start).days))
                    kind = self.rng.choice(kinds)
                    activities.append(
                        LiaisonActivity(
                            liaison=li,
                            org_path=li.org_path,
                            held_on=day,
                            kind=kind,
                            content=demo.ACTIVITY_TEXT[kind].format(branch=li.branch.name, title=demo.LECTURES[0]),
                        )
                    )
        LiaisonActivity.objects.bulk_create(activities, batch_size=self.batch)
        self.log(f"  联系支部 {len(liaisons)} 对，联系活动 {len(activities)} 次")
        return len(activities)

    # ------------------------------------------------------------ 廉政风险点

    def risks(self, committees) -> int:
        rows = []
        for org in committees:
            for i, (
                area,
                _dept,
                post,
                category,
                risk,
                manifestation,
                level,
                measures,
                person,
                leader,
                indicator,
            ) in enumerate(demo.RISKS, start=1):
                rows.append(
                    IntegrityRisk(
                        organization=org,
                        org_path=org.path,
                        order=i,
                        area=area,
                        post=post,
                        category=category,
                        risk_point=risk,
                        manifestation=manifestation,
                        level=level,
                        measures=measures,
                        responsible_person=person,
                        responsible_leader=leader,
                        indicator=indicator,
                    )
                )
        IntegrityRisk.objects.bulk_create(rows, batch_size=self.batch)
        self.log(f"  廉政风险点 {len(rows)} 条")
        return len(rows)

    # ------------------------------------------------------------ 履职清单

    def catalogue(self, root) -> dict:
        depts = list(
            Department.objects.filter(organization__path__startswith=root.path).order_by("unit_id", "sort_order")
        )
        by_unit: dict[int, list[Department]] = {}
        for d in depts:
            by_unit.setdefault(d.unit_id, []).append(d)
        keys = list(demo.TASK_TABLES)
        tasks, divisions, charts, duties, risks = [], [], [], [], []
        for n, dept in enumerate(depts):
            key = keys[n % len(keys)]
            for i, (content, basis) in enumerate(demo.tasks_for(key)[:30], start=1):
                tasks.append(WorkTask(department=dept, order=i, content=content, basis=basis))
            for i, (matter, _assist) in enumerate(demo.DIVISIONS[key][:7], start=1):
                divisions.append(BoundaryDivision(lead_department=dept, order=i, matter=matter))
            for i, (name, pattern, first, post) in enumerate(demo.CHARTS[key][:4], start=1):
                charts.append(
                    (WorkflowChart(department=dept, order=i, name=name), demo.chart_steps(pattern, first, post))
                )
            for i, (post, duty) in enumerate(demo.post_duties_for(key)[:35], start=1):
                duties.append(PostDuty(department=dept, post=post, order=i, duty=duty))
            for i, (post, risk, level, measure) in enumerate(demo.POST_RISKS[key][:4], start=1):
                risks.append((PostRiskPoint(department=dept, post=post, order=i, risk=risk, level=level), measure))
        WorkTask.objects.bulk_create(tasks, batch_size=self.batch)
        BoundaryDivision.objects.bulk_create(divisions, batch_size=self.batch)
        through = BoundaryDivision.assisting_departments.through
        links = []
        for division in divisions:
            siblings = [d for d in by_unit[division.lead_department.unit_id] if d.pk != division.lead_department_id]
            for helper in self.rng.sample(siblings, min(2, len(siblings))):
                links.append(through(boundarydivision_id=division.pk, department_id=helper.pk))
        through.objects.bulk_create(links, batch_size=self.batch)
        WorkflowChart.objects.bulk_create([c for c, _ in charts], batch_size=self.batch)
        steps = [
            WorkflowStep(
                chart=chart, number=s.number, kind=s.kind, text=s.text, actor=s.actor, yes_to=s.yes_to, no_to=s.no_to
            )
            for chart, rows in charts
            for s in rows
        ]
        WorkflowStep.objects.bulk_create(steps, batch_size=self.batch)
        PostDuty.objects.bulk_create(duties, batch_size=self.batch)
        PostRiskPoint.objects.bulk_create([r for r, _ in risks], batch_size=self.batch)
        ControlMeasure.objects.bulk_create(
            [ControlMeasure(risk_point=r, order=1, measure=m) for r, m in risks], batch_size=self.batch
        )
        self.log(
            f"  履职清单：科室 {len(depts)} 个，工作任务 {len(tasks)} 项，边界分工 {len(divisions)} 项，"
            f"流程图 {len(charts)} 张（步骤 {len(steps)} 个），岗位职责 {len(duties)} 项，岗位风险点 {len(risks)} 项"
        )
        return {"departments": len(depts), "tasks": len(tasks), "steps": len(steps)}


class Command(BaseCommand):
    help = "为规模测试数据生成主体责任清单、落实佐证、联系支部、廉政风险点和履职清单"

    def add_arguments(self, parser):
        parser.add_argument("--evidence", type=int, default=100_000, help="落实佐证条数（默认 100000）")
        parser.add_argument("--years", type=int, default=3, help="佐证和联系活动覆盖的年数（默认 3）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子")
        parser.add_argument("--batch-size", type=int, default=5000, help="每批插入行数")

    def handle(self, *args, evidence: int, years: int, seed: int, batch_size: int, **options):
        if not getattr(settings, "DEMO_ALLOWED", False):
            raise CommandError(
                "当前环境不允许生成规模测试数据（DEMO_ALLOWED 为假）。如确需生成，请设置 DJANGO_DEMO_ALLOWED=1。"
            )
        if not Organization.objects.filter(code=ROOT_CODE).exists():
            raise CommandError("请先运行 generate_scale_data 生成规模测试党组织树")
        root = Organization.objects.get(code=ROOT_CODE)
        if ResponsibilityItem.all_objects.filter(org_path__startswith=root.path).exists():
            raise CommandError("规模测试树已有主体责任清单数据，请在新的数据库上运行")
        result = Builder(evidence=evidence, years=years, seed=seed, batch=batch_size, log=self.stdout.write).run()
        started = time.monotonic()
        rows = coverage.rebuild()
        self.stdout.write(f"  落实情况（佐证与派生记录覆盖的期间）{rows} 行，用时 {time.monotonic() - started:.1f} 秒")
        self.stdout.write(self.style.SUCCESS(f"完成，用时 {result['seconds']:.1f} 秒"))
