"""`python manage.py bench_assessment [--repeat N]`: response times and query counts of the star
rating and periodic assessment pages, and the time to compute this area's statistics.

As the committee administrator of the largest tree (scale_admin after generate_scale_data and
generate_assessment_data, else committee), through the Django test client like core's `bench`
(whose measuring helpers it reuses): p50/p95 in ms and SQL queries per request.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.urls import reverse

from assessment.models import AssessmentRound, StarRatingRound
from core.management.commands.bench import Command as CoreBench
from core.management.commands.bench import Measurement, pick_user
from core.periods import Period
from core.scope import Scope
from core.stats import registered_statistics


class Command(BaseCommand):
    help = "性能基准：评星定级与平时考核页面的 p50/p95 与查询数，考核评价统计指标的计算时间"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--user", help="以该账号身份测量（默认：scale_admin 或 committee）")

    def handle(self, *args, repeat=20, user=None, **options):
        user = pick_user(user)
        rnd = StarRatingRound.objects.order_by("-year", "pk").first()
        quarter = AssessmentRound.objects.order_by("-year", "-quarter", "pk").first()
        pages = [Measurement("评星定级列表", reverse("assessment:round_list"))]
        if rnd is not None:
            n = rnd.ratings.count()
            pages += [
                Measurement(
                    f"评星定级 {rnd.year}年度（{n}个党支部，第1页）", reverse("assessment:round_detail", args=[rnd.pk])
                ),
                Measurement("星级评定台账 按年度", reverse("assessment:rating_list") + f"?year={rnd.year}"),
                Measurement(
                    "星级评定台账 晋位升级",
                    reverse("assessment:rating_list") + f"?year={rnd.year}&change=up&published=1",
                ),
                Measurement(
                    "党支部星级档案",
                    reverse("assessment:branch_history", args=[rnd.ratings.order_by("pk").first().organization_id]),
                ),
                Measurement("标准化建设（按党支部）", reverse("assessment:standardization") + f"?year={rnd.year}"),
            ]
        if quarter is not None:
            n = quarter.records.count()
            pages += [
                Measurement(
                    f"平时考核 {quarter.label}（{n}人）",
                    reverse("assessment:assessment_round_detail", args=[quarter.pk]),
                ),
                Measurement("考核结果 按年度", reverse("assessment:record_list") + f"?period={quarter.year}"),
                Measurement("年度汇总", reverse("assessment:year_view") + f"?year={quarter.year}"),
            ]
        bench = CoreBench()
        client = bench._client(user)
        for m in pages:
            bench._measure(client, m, repeat)
        from orgs.management.commands.load_demo import format_table

        rows = [
            (m.label, f"{m.pct(50):.1f}", f"{m.pct(95):.1f}", m.query_text)
            if m.times_ms
            else (m.label, "—", "—", f"HTTP {m.status}")
            for m in pages
        ]
        self.stdout.write(f"账号：{user.username}；每项 {repeat} 次")
        self.stdout.write(format_table(("页面", "p50(ms)", "p95(ms)", "查询数"), rows))
        org = Scope.of(user).home_organization
        if org is None or rnd is None:
            return
        period = Period.parse(str(rnd.year - 1))
        self.stdout.write("")
        stat_rows = []
        for stat in registered_statistics():
            if not stat.code.startswith("assessment."):
                continue
            start = time.perf_counter()
            value = stat.compute(period, org, user)
            stat_rows.append((stat.label, f"{value.value:,}", f"{(time.perf_counter() - start) * 1000:.1f}"))
        self.stdout.write(f"统计指标（{period.label}，{org.name}）：")
        self.stdout.write(format_table(("指标", "数值", "计算(ms)"), stat_rows))
