"""`python manage.py rebuild_problem_summary`: recompute the monthly summary of the rectification
ledger (supervision.summary) from the problems.

The services keep the summary up to date; run this after writing problems outside them (bulk
loads, repairs in the database). Safe to run at any time: one transaction replaces every row.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from supervision import summary


class Command(BaseCommand):
    help = "从问题整改台账重新计算问题整改月度汇总（整改统计使用）"

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = summary.rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"问题整改月度汇总已重建：{rows} 行，用时 {time.perf_counter() - started:.1f} 秒。")
        )
