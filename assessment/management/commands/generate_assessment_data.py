"""`python manage.py generate_assessment_data [--year 2025]`: star ratings and periodic assessments at
city scale on the tree made by `generate_scale_data` (root SCALE-ROOT), through the services.

- last year: a historical rating round of every branch under the root, scored and published
  (≤ 30 % five-star), so this year's round compares with it;
- this year: a rating round opened with its pre-filled inputs (the figure to watch: opening
  computes every configured statistic for every branch), every branch scored, not published;
- the four quarters of last year for the largest bureau's staff (self-summaries recorded by the
  committee, committee scores, grades within the 40 % quota), for the year view.

Prints how long each step took. Needs DEMO_ALLOWED (synthetic data, like generate_scale_data).
"""

from __future__ import annotations

import contextlib
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from assessment import periodic_services as ps
from assessment import services
from assessment.models import AssessmentRound, Grade, StarRatingRound
from assessment.scheme import allowed_count
from orgs.models import Organization, Unit

SCALE_ROOT = "SCALE-ROOT"
DIMS = ("班子队伍", "组织生活", "制度机制", "基础保障", "作用发挥")


class Command(BaseCommand):
    help = "生成规模测试的评星定级与平时考核数据（在 generate_scale_data 生成的组织树上）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="本年度评星的年度（默认今年）")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, year=None, seed=1, **options):
        if not getattr(settings, "DEMO_ALLOWED", False):
            raise CommandError("当前环境不允许生成规模测试数据（设置 DJANGO_DEMO_ALLOWED=1 后重试）")
        root = Organization.objects.filter(code=SCALE_ROOT).first()
        if root is None:
            raise CommandError("未找到 generate_scale_data 生成的根组织（SCALE-ROOT），请先运行 generate_scale_data")
        year = year or timezone.localdate().year
        if StarRatingRound.objects.filter(organization=root, year=year).exists():
            raise CommandError(f"{year}年度评星定级已生成")
        rng = random.Random(seed)  # noqa: S311 - synthetic data
        last = services.star_round_open(actor=None, organization=root, year=year - 1, historical=True)
        n = last.ratings.count()
        self.stdout.write(f"参评党支部：{n} 个")
        self._score(last, rng, five_share=0.25)
        with self._step(f"公示{year - 1}年度（历史补录）"):
            services.star_round_publish(actor=None, round=last)
        with self._step(f"开启{year}年度评星定级（{n}个党支部）"):
            rnd = services.star_round_open(actor=None, organization=root, year=year)
        services.star_round_start_scoring(actor=None, round=rnd)
        self._score(rnd, rng, five_share=0.3)
        unit = Unit.objects.annotate(n=Count("people")).filter(n__gt=0).order_by("-n", "pk").first()
        committee = (
            Organization.objects.filter(org_type="committee", path__startswith=root.path, depth=root.depth + 1)
            .order_by("path")
            .first()
        )
        if unit is None or committee is None:
            return
        for quarter in (1, 2, 3, 4):
            if AssessmentRound.objects.filter(unit=unit, year=year - 1, quarter=quarter).exists():
                continue
            self._quarter(committee, unit, year - 1, quarter, rng)

    @contextlib.contextmanager
    def _step(self, label):
        start = time.perf_counter()
        yield
        self.stdout.write(f"  {label}：{time.perf_counter() - start:.1f} 秒")

    def _score(self, rnd, rng, *, five_share: float):
        ratings = list(rnd.ratings.order_by("pk"))
        five = allowed_count(len(ratings), five_share)
        start = time.perf_counter()
        for i, rating in enumerate(ratings):
            base = 92 if i < five else rng.uniform(58, 89.5)
            scores = {d: round(min(100, max(0, base + rng.uniform(-2, 2))), 1) for d in DIMS}
            total = sum(scores.values()) / len(scores)
            if i >= five and total >= 90:
                scores = {d: 85 for d in DIMS}
            services.star_rating_score(actor=None, rating=rating, scores=scores, weak_lax=rng.random() < 0.02)
        self.stdout.write(f"  {rnd.year}年度评分 {len(ratings)} 个党支部：{time.perf_counter() - start:.1f} 秒")

    def _quarter(self, committee, unit, year, quarter, rng):
        start = time.perf_counter()
        with transaction.atomic():
            rnd = ps.assessment_round_open(
                actor=None, organization=committee, unit=unit, year=year, quarter=quarter, on=timezone.localdate()
            )
            records = list(rnd.records.order_by("pk"))
            for r in records:
                ps.assessment_summary_submit(
                    actor=None, record=r, summary="本季度完成了岗位各项工作任务。", on_behalf=True
                )
                level = rng.uniform(75, 96)
                ps.assessment_record_score(
                    actor=None,
                    record=r,
                    scores={f: round(level + rng.uniform(-3, 3), 1) for f in ("de", "neng", "qin", "ji", "lian")},
                    as_committee=True,
                )
            rnd = ps.assessment_round_review(actor=None, round=rnd)
            scored = list(rnd.records.order_by("-total", "pk"))
            limit = allowed_count(len(scored), rnd.scheme["quota_excellent"])
            for r in [r for r in scored if r.proposed_grade == Grade.EXCELLENT][limit:]:
                ps.assessment_grade_set(actor=None, record=r, grade=Grade.GOOD, reason="比例调整")
            ps.assessment_round_confirm(actor=None, round=rnd)
        self.stdout.write(
            f"  {year}年第{quarter}季度平时考核 {len(records)} 人（小结、评分、审核、确认）：{time.perf_counter() - start:.1f} 秒"
        )
