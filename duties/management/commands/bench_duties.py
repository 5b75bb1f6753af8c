"""`python manage.py bench_duties [--repeat N] [--user NAME]`: response times and query counts of the
responsibility pages on the current database (run generate_scale_data, generate_meeting_data and
generate_duties_data first), measured like `bench` (core/management/commands/bench.py): through the
Django test client as a committee administrator, p50/p95 in ms and SQL queries per request. Then
the area's statistics, report sections and alerts computed for the whole tree (in-process)."""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.management.commands.bench import Command as BenchCommand
from core.management.commands.bench import Measurement, _db_label, pick_user
from core.periods import Period
from core.scope import Scope, policy_for
from core.stats import get_statistic, registered_sections
from duties.models import ResponsibilityEvidence, ResponsibilityItem, WorkflowChart, WorkTask
from orgs.models import Organization


def pages(user):
    today = timezone.localdate()
    half = Period.containing("half", today)
    last_half = Period.containing("half", half.start.replace(day=1) - timezone.timedelta(days=1))
    visible = policy_for(Organization).visible(user)
    committee = visible.filter(org_type="committee", parent__isnull=False).order_by("path").first()
    item = ResponsibilityItem.objects.filter(org_path__startswith=committee.path).order_by("pk").first()
    busiest = (
        ResponsibilityEvidence.objects.values("item_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("item_id", flat=True)
        .first()
    )
    dept = WorkTask.objects.values_list("department_id", flat=True).order_by("department_id").first()
    chart = WorkflowChart.objects.order_by("pk").first()
    r = reverse("duties:responsibility")
    yield Measurement("主体责任清单 第1页（本半年）", r)
    yield Measurement(f"主体责任清单 上半年 {last_half.code}", f"{r}?period={last_half.code}")
    yield Measurement(f"主体责任清单 末页 {last_half.code}", f"{r}?period={last_half.code}&page=9999")
    yield Measurement(f"主体责任清单 按机关党委（{committee.name}）", f"{r}?org={committee.pk}&period={last_half.code}")
    yield Measurement("主体责任清单 缺少佐证（全市）", f"{r}?period={last_half.code}&status=missing")
    yield Measurement(
        "主体责任清单 缺少佐证（一个机关党委）", f"{r}?org={committee.pk}&period={last_half.code}&status=missing"
    )
    yield Measurement("责任项目详情", reverse("duties:item_detail", args=[item.pk]))
    if busiest:
        yield Measurement("责任项目详情（佐证最多）", reverse("duties:item_detail", args=[busiest]))
    yield Measurement("佐证台账 第1页", reverse("duties:record_list", args=["evidence"]))
    yield Measurement(
        f"佐证台账 按期间 {last_half.code}",
        reverse("duties:record_list", args=["evidence"]) + f"?period={last_half.code}",
    )
    yield Measurement("联系支部 第1页", reverse("duties:liaison_overview"))
    yield Measurement("联系支部 没有活动的支部", reverse("duties:liaison_overview") + f"?period={half.code}&idle=1")
    yield Measurement("联系活动台账 第1页", reverse("duties:record_list", args=["activities"]))
    yield Measurement("廉政风险点 第1页", reverse("duties:risk_list"))
    yield Measurement("廉政风险点 领域", reverse("duties:risk_areas"))
    yield Measurement("履职清单 汇总", reverse("duties:catalogue"))
    if dept:
        yield Measurement("履职清单 科室页", reverse("duties:catalogue_department", args=[dept]))
    yield Measurement("工作任务台账 第1页", reverse("duties:record_list", args=["tasks"]))
    if chart:
        yield Measurement("工作流程图（SVG）", reverse("duties:flowchart_detail", args=[chart.pk]))


def _timed(func, repeat: int) -> tuple[float, float, int]:
    times, queries = [], 0
    for i in range(repeat + 1):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            func()
            elapsed = (time.perf_counter() - start) * 1000
        if i:
            times.append(elapsed)
            queries = len(ctx.captured_queries)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)], queries


class Command(BaseCommand):
    help = "性能基准：主体责任清单、联系支部、廉政风险点、履职清单页面的 p50/p95 与查询数，以及统计与报告段落的计算时间"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20, help="每个页面的测量次数（默认 20，另有 2 次预热）")
        parser.add_argument("--user", help="以该账号身份测量（默认：scale_admin 或 committee）")

    def handle(self, *args, repeat: int, user=None, **options):
        user = pick_user(user)
        bench = BenchCommand(stdout=self.stdout, stderr=self.stderr)
        scope_org = Scope.of(user).home_organization
        self.stdout.write(
            f"数据库：{_db_label()}；账号：{user.username}（{scope_org}）；"
            f"责任项目 {ResponsibilityItem.objects.count()} 项，落实佐证 {ResponsibilityEvidence.objects.count()} 条；每项 {repeat} 次"
        )
        measured = list(pages(user))
        client = bench._client(user)
        for m in measured:
            bench._measure(client, m, repeat)
        bench._print({"pages": [m.as_dict() for m in measured]})

        period = Period.containing("half", timezone.localdate())
        period = Period.containing("half", period.start - timezone.timedelta(days=1))
        rows = []
        codes = [
            "duties.responsibility.items",
            "duties.responsibility.without_evidence",
            "duties.risks.points",
            "duties.catalogue.tasks",
            "duties.liaison.activities",
        ]
        for code in codes:
            stat = get_statistic(code)
            p50, p95, q = _timed(lambda stat=stat: stat.compute(period, scope_org, user), max(3, repeat // 4))
            rows.append((f"统计 {code}", f"{p50:.1f}", f"{p95:.1f}", str(q)))
        for section in registered_sections():
            if section.code.startswith("duties."):
                p50, p95, q = _timed(lambda s=section: s.build(period, scope_org, user), max(3, repeat // 4))
                rows.append((f"报告段落 {section.code}", f"{p50:.1f}", f"{p95:.1f}", str(q)))
        from duties import stats as duties_stats

        for name, func in (
            ("提醒 缺少佐证", duties_stats.responsibility_alert),
            ("提醒 联系支部", duties_stats.liaison_alert),
        ):
            p50, p95, q = _timed(lambda f=func: f(period, scope_org, user), max(3, repeat // 4))
            rows.append((name, f"{p50:.1f}", f"{p95:.1f}", str(q)))
        from orgs.management.commands.load_demo import format_table

        self.stdout.write("")
        self.stdout.write(f"统计与报告（{scope_org}，{period.label}）：")
        self.stdout.write(format_table(("项目", "p50(ms)", "p95(ms)", "查询数"), rows))
