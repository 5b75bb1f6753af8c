"""`python manage.py generate_supervision_data [--problems 300000] [--years 3] [--seed N]`

A rectification ledger for the synthetic city-wide tree of `generate_scale_data` (root SCALE-ROOT):
over the last `--years` years up to today, each 机关党委 (a bureau) holds two inspection rounds a
year over its branches (with field visits), each branch's secretary reports once a year at the
述职大会, and `--problems` problems are spread over the tree's organizations and sources
(inspections, secretaries' reports, 民主生活会/组织生活会, higher-level feedback, self-inspection,
star rating). Problems older than four months are nearly all closed (some late); the recent ones
are pending, in progress or awaiting closure, so a few per cent are overdue — the 督办 command
has real work to do on the first run.

Written set-based in one transaction: bulk_create in batches, the tracked items with ids reserved
up front so that each problem and its tracked item point at each other without a second pass; no
audit entries, transitions or notifications (synthetic data, not records anyone entered).
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from core.models import TrackedItem
from orgs.management.commands.generate_scale_data import ROOT_CODE
from orgs.models import Organization, Person
from supervision import summary
from supervision.models import (
    Inspection,
    InspectionMethod,
    InspectionVisit,
    Problem,
    ProblemSource,
    ProblemStatus,
    SecretaryReport,
)
from supervision.services import PROBLEM_KIND

BRANCH_TYPES = ("branch", "joint_branch", "general_branch")
SOURCES = (
    (ProblemSource.INSPECTION, 0.25),
    (ProblemSource.SECRETARY_REPORT, 0.20),
    (ProblemSource.DEMOCRATIC_LIFE, 0.10),
    (ProblemSource.HIGHER_FEEDBACK, 0.10),
    (ProblemSource.SELF_INSPECTION, 0.25),
    (ProblemSource.STAR_RATING, 0.10),
)
TEXTS = (
    "“三会一课”会议记录不规范",
    "主题党日活动形式单一",
    "党员发展档案材料不齐全",
    "党费收缴台账登记不及时",
    "支部委员分工履职不够到位",
    "理论学习与业务工作结合不紧密",
    "党员积分台账更新不及时",
    "组织生活会批评与自我批评不够深入",
    "党建阵地建设有待加强",
    "意识形态阵地管理台账不健全",
    "“一岗双责”落实不到位",
    "谈心谈话记录不完整",
)
MEASURES = "制定整改方案，明确责任人和完成时限，逐项整改销号"


class SupervisionScaleBuilder:
    def __init__(self, *, problems: int, years: int, seed: int, batch_size: int, log, today=None):
        self.total = problems
        self.years = years
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data
        self.batch_size = batch_size
        self.log = log
        self.today = today or timezone.localdate()
        self.start = self.today - datetime.timedelta(days=365 * years)

    # ------------------------------------------------------------------ the tree

    def load(self) -> None:
        root = Organization.objects.filter(code=ROOT_CODE).first()
        if root is None:
            raise CommandError(f"没有规模测试党组织树（根组织编码 {ROOT_CODE}），请先运行 generate_scale_data")
        if Problem.objects.filter(org_path__startswith=root.path).exists():
            raise CommandError("规模测试党组织树下已有问题整改数据，请在新的数据库上重新生成")
        self.root = root
        orgs = list(Organization.objects.filter(path__startswith=root.path).exclude(org_type="cell").order_by("path"))
        self.orgs = orgs
        self.branches = [o for o in orgs if o.org_type in BRANCH_TYPES]
        self.committees = [o for o in orgs if o.org_type == "committee" and o.parent_id is not None]
        self.committee_by_path = {c.path: c for c in self.committees}
        self.under: dict[int, list[Organization]] = defaultdict(list)
        for c in self.committees:
            self.under[c.pk] = [b for b in self.branches if b.path.startswith(c.path)]
        first: dict[int, int] = {}
        for org_id, pk in (
            Person.objects.filter(org_path__startswith=root.path).order_by("pk").values_list("organization_id", "pk")
        ):
            first.setdefault(org_id, pk)
        self.person_of = first

    # ------------------------------------------------------------------ inspections and reports

    def _days(self, a: datetime.date, b: datetime.date) -> datetime.date:
        return a + datetime.timedelta(days=self.rng.randint(0, max((b - a).days, 0)))

    def inspections(self) -> None:
        rows, targets, visits = [], [], []
        for committee in self.committees:
            branches = self.under[committee.pk]
            if not branches:
                continue
            for year in range(self.start.year, self.today.year + 1):
                for half in (1, 2):
                    start = datetime.date(year, 1 if half == 1 else 7, 1)
                    if start < self.start or start > self.today - datetime.timedelta(days=30):
                        continue
                    begin = self._days(start, start + datetime.timedelta(days=60))
                    rows.append(
                        (
                            Inspection(
                                name=f"{year}年第{'一' if half == 1 else '二'}轮党建督导检查",
                                organization=committee,
                                org_path=committee.path,
                                methods="field,documents",
                                start_on=begin,
                                end_on=begin + datetime.timedelta(days=20),
                                feedback="反馈问题见问题整改台账",
                                feedback_on=begin + datetime.timedelta(days=30),
                            ),
                            self.rng.sample(branches, min(len(branches), 6)),
                        )
                    )
        Inspection.objects.bulk_create([r[0] for r in rows], batch_size=2000)
        for inspection, chosen in rows:
            for i, org in enumerate(chosen):
                targets.append(Inspection.targets.through(inspection_id=inspection.pk, organization_id=org.pk))
                if i < 3:
                    visits.append(
                        InspectionVisit(
                            inspection=inspection,
                            organization=org,
                            org_path=org.path,
                            visited_on=inspection.start_on + datetime.timedelta(days=i * 3),
                            method=InspectionMethod.FIELD if i < 2 else InspectionMethod.DOCUMENTS,
                        )
                    )
        Inspection.targets.through.objects.bulk_create(targets, batch_size=5000)
        InspectionVisit.objects.bulk_create(visits, batch_size=5000)
        self.inspection_rows = rows
        self.inspections_by_committee: dict[int, list] = defaultdict(list)
        for inspection, chosen in rows:
            self.inspections_by_committee[inspection.organization_id].append((inspection, chosen))
        self.log(f"  督导检查 {len(rows)} 次，检查记录 {len(visits)} 条")

    def reports(self) -> None:
        reports = []
        for branch in self.branches:
            person = self.person_of.get(branch.pk)
            if person is None:
                continue
            for year in range(self.start.year, self.today.year + 1):
                held = datetime.date(year, 1, 20) + datetime.timedelta(days=self.rng.randint(0, 20))
                if held < self.start or held > self.today:
                    continue
                reports.append(
                    SecretaryReport(
                        organization=branch,
                        org_path=branch.path,
                        secretary_id=person,
                        year=year - 1,
                        held_on=held,
                        title="书记抓基层党建述职评议大会",
                        rating_excellent=self.rng.randint(10, 25),
                        rating_good=self.rng.randint(3, 12),
                        rating_fair=self.rng.randint(0, 4),
                        rating_poor=self.rng.randint(0, 1),
                    )
                )
        SecretaryReport.objects.bulk_create(reports, batch_size=5000)
        self.reports_by_branch: dict[int, list[SecretaryReport]] = defaultdict(list)
        for r in reports:
            self.reports_by_branch[r.organization_id].append(r)
        self.log(f"  书记述职评议 {len(reports)} 人次")

    # ------------------------------------------------------------------ problems

    def _source(self) -> str:
        x = self.rng.random()
        for source, share in SOURCES:
            if x < share:
                return source
            x -= share
        return ProblemSource.SELF_INSPECTION

    def _plan(self) -> tuple[Problem, dict]:
        """One problem (unsaved) and its tracked item's fields."""
        rng = self.rng
        source = self._source()
        found = self._days(self.start, self.today)
        org = rng.choice(self.branches)
        data = {"source": source}
        if source == ProblemSource.INSPECTION:
            committee = self.committee_by_path.get(org.path[:14])  # the bureau's 机关党委 (depth 1)
            candidates = self.inspections_by_committee.get(committee.pk, []) if committee else []
            if candidates:
                inspection, chosen = rng.choice(candidates)
                org = rng.choice(chosen)
                data["inspection_id"] = inspection.pk
                found = min(inspection.feedback_on, self.today)
            else:
                data["source"] = source = ProblemSource.SELF_INSPECTION
        elif source == ProblemSource.SECRETARY_REPORT:
            reports = self.reports_by_branch.get(org.pk)
            if reports:
                report = rng.choice(reports)
                data["secretary_report_id"] = report.pk
                found = report.held_on
            else:
                data["source"] = source = ProblemSource.SELF_INSPECTION
        days = rng.choice((15, 30, 30, 45, 60, 90))
        due = found + datetime.timedelta(days=days)
        age = (self.today - found).days
        closed_on = None
        if age > 120:
            if rng.random() < 0.97:
                closed_on = found + datetime.timedelta(days=int(days * rng.uniform(0.4, 1.25)))
        elif rng.random() < age / 160:
            closed_on = found + datetime.timedelta(days=int(days * rng.uniform(0.3, 1.1)))
        if closed_on is not None and closed_on > self.today:
            closed_on = None
        if closed_on is not None:
            status = ProblemStatus.CLOSED
        else:
            x = rng.random()
            status = (
                ProblemStatus.PENDING if x < 0.3 else ProblemStatus.IN_PROGRESS if x < 0.85 else ProblemStatus.APPLIED
            )
        text = rng.choice(TEXTS)
        problem = Problem(
            organization_id=org.pk,
            org_path=org.path,
            description=text,
            measures=MEASURES,
            responsible_person_id=self.person_of.get(org.pk),
            found_on=found,
            due_on=due,
            status=status,
            closed_on=closed_on,
            verification="经核实整改到位" if closed_on else "",
            **data,
        )
        item = {
            "title": text,
            "organization_id": org.pk,
            "status": status,
            "start_on": found,
            "duration": days,
            "due_on": due,
        }
        if closed_on:
            item["closed_at"] = datetime.datetime.combine(closed_on, datetime.time(17), tzinfo=datetime.UTC)
        return problem, item

    def problems(self) -> int:
        ct = ContentType.objects.get_for_model(Problem)
        next_item = (TrackedItem.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        made = 0
        started = time.perf_counter()
        while made < self.total:
            n = min(self.batch_size, self.total - made)
            planned = [self._plan() for _ in range(n)]
            problems = []
            for i, (problem, _) in enumerate(planned):
                problem.tracked_item_id = next_item + made + i
                problems.append(problem)
            Problem.objects.bulk_create(problems, batch_size=5000)
            items = [
                TrackedItem(
                    id=p.tracked_item_id,
                    kind=PROBLEM_KIND,
                    content_type=ct,
                    object_id=str(p.pk),
                    deadline_mode=TrackedItem.DEADLINE_CALENDAR,
                    **fields,
                )
                for p, (_, fields) in zip(problems, planned, strict=True)
            ]
            TrackedItem.objects.bulk_create(items, batch_size=5000)
            made += n
            self.log(f"  问题 {made}/{self.total}（{time.perf_counter() - started:.1f} 秒）")
        # The tracked items' ids were given explicitly: move the sequence past them (PostgreSQL).
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [TrackedItem]):
                cursor.execute(sql)
        return made

    def run(self) -> dict:
        started = time.perf_counter()
        with transaction.atomic():
            self.load()
            self.log(
                f"  党组织 {len(self.orgs)} 个（党支部/党总支 {len(self.branches)} 个，机关党委 {len(self.committees)} 个）"
            )
            self.inspections()
            self.reports()
            made = self.problems()
            # Written in bulk, not through the services: the statistics' summary from scratch.
            summary.rebuild(log=self.log)
        counts = dict(
            Problem.objects.filter(org_path__startswith=self.root.path).values_list("status").annotate(n=Count("id"))
        )
        return {"problems": made, "by_status": counts, "seconds": time.perf_counter() - started}


class Command(BaseCommand):
    help = "为规模测试党组织树生成问题整改台账数据（督导检查、述职评议、整改问题），用于性能测试"

    def add_arguments(self, parser):
        parser.add_argument("--problems", type=int, default=300_000, help="问题数（默认 300000）")
        parser.add_argument("--years", type=int, default=3, help="分布在最近几年（默认 3，截至今天）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--batch-size", type=int, default=10_000, help="每批写入的问题数")

    def handle(self, *args, problems: int, years: int, seed: int, batch_size: int, **options):
        if not getattr(settings, "DEMO_ALLOWED", False):
            raise CommandError(
                "当前环境不允许生成规模测试数据（DEMO_ALLOWED 为假，生产环境默认关闭）。"
                "如确需生成，请设置环境变量 DJANGO_DEMO_ALLOWED=1 后重试。"
            )
        if problems < 1 or years < 1:
            raise CommandError("--problems 和 --years 至少为 1")
        self.stdout.write(f"生成问题整改规模测试数据：问题 {problems} 个，最近 {years} 年，随机种子 {seed}")
        result = SupervisionScaleBuilder(
            problems=problems, years=years, seed=seed, batch_size=batch_size, log=lambda m: self.stdout.write(m)
        ).run()
        labels = dict(ProblemStatus.choices)
        parts = "，".join(f"{labels.get(k, k)} {v}" for k, v in sorted(result["by_status"].items()))
        self.stdout.write(
            self.style.SUCCESS(f"完成：问题 {result['problems']} 个（{parts}），用时 {result['seconds']:.1f} 秒。")
        )
