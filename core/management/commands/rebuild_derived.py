"""`python manage.py rebuild_derived [--only obligations,problems,fulfilment,points]`

Rebuilds every derived table from the records, one after the other, with progress: the stored
organizational-life obligations (the years built so far and this year), the rectification
summary (`rebuild_problem_summary`), the 主体责任 coverage (`rebuild_fulfilment`) and the points
with their ranking copies (`recompute_points --all`).

The services keep these tables current; run this once after `migrate` on an upgraded database
(so that no user waits for a first build), after restoring a backup of only some tables, or after
writing records outside the application. Each part is idempotent. At city scale it takes several
minutes, most of it the points.
"""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

PARTS = {
    "obligations": "组织生活落实情况（按年度）",
    "problems": "问题整改月度汇总",
    "fulfilment": "主体责任清单落实覆盖",
    "points": "党员积分与排名汇总",
}


class Command(BaseCommand):
    help = "从业务记录重建全部派生数据表（组织生活落实、整改汇总、主体责任覆盖、党员积分），显示进度"

    def add_arguments(self, parser):
        parser.add_argument("--only", default="", help=f"只重建其中几项，逗号分隔：{','.join(PARTS)}")

    def handle(self, *args, **opts):
        wanted = [p.strip() for p in opts["only"].split(",") if p.strip()] or list(PARTS)
        unknown = [p for p in wanted if p not in PARTS]
        if unknown:
            raise CommandError(f"未知的部分：{'、'.join(unknown)}；可选：{'、'.join(PARTS)}")
        started = time.perf_counter()
        for number, part in enumerate(wanted, start=1):
            self.stdout.write(f"[{number}/{len(wanted)}] {PARTS[part]}……")
            self.stdout.flush()
            began = time.perf_counter()
            getattr(self, f"_{part}")()
            self.stdout.write(f"      完成，用时 {time.perf_counter() - began:.1f} 秒")
        self.stdout.write(self.style.SUCCESS(f"派生数据已全部重建，共用时 {time.perf_counter() - started:.1f} 秒。"))

    def _obligations(self):
        from meetings import obligation_store

        years = obligation_store.built_years() | {timezone.localdate().year}
        obligation_store.invalidate(years)
        for year in sorted(years):
            rows = obligation_store.build_year(year)
            self.stdout.write(f"      {year}年：{rows:,} 项")

    def _problems(self):
        call_command("rebuild_problem_summary", stdout=self.stdout)

    def _fulfilment(self):
        call_command("rebuild_fulfilment", stdout=self.stdout)

    def _points(self):
        call_command("recompute_points", "--all", stdout=self.stdout)
