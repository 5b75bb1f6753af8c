"""`python manage.py prefill_star_inputs [--round ID]`: compute the pre-filled inputs of every
branch of a rating round whose inputs are missing or stale (large rounds compute them lazily,
see assessment.services.INLINE_PREFILL_LIMIT). Default: every round in 自评 or 评星. Idempotent;
one audit entry per branch computed (actor 系统)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from assessment import services
from assessment.models import BranchRating, RoundStatus, StarRatingRound


class Command(BaseCommand):
    help = "计算评星定级各党支部的预填数据（大规模时由后台分批计算）"

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, help="评星定级编号（默认：所有自评、评星阶段的评星定级）")

    def handle(self, *args, round=None, **options):  # noqa: A002
        rounds = StarRatingRound.objects.filter(status__in=[RoundStatus.SELF, RoundStatus.SCORING], historical=False)
        if round:
            rounds = rounds.filter(pk=round)
            if not rounds.exists():
                raise CommandError(f"没有编号为{round}、处于自评或评星阶段的评星定级")
        start = time.perf_counter()
        done = 0
        for rnd in rounds:
            pending = BranchRating.objects.filter(round=rnd, inputs_at__isnull=True).select_related(
                "round", "organization"
            )
            for rating in pending.iterator(chunk_size=200):
                services.star_rating_fill_inputs(actor=None, rating=rating)
                done += 1
        self.stdout.write(f"已计算 {done} 个党支部的预填数据，用时 {time.perf_counter() - start:.1f} 秒")
