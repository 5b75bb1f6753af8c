"""`python manage.py recompute_points --year 2022 [--year 2023] | --all [--source meetings] | --people`

Rebuilds the derived point entries of the given years from their records (every registered point
source, or the named ones) and the yearly sums (one row per person, with the person columns the
rankings read), idempotently: run it after editing a points rule, after importing records in bulk
(imports and generators that bypass the services do not derive points) or nightly as a safety
net. Manual entries are kept. Each year is one transaction; progress is printed as it goes, then
the time and the peak memory of the process. `--people` only brings the person columns of the
sums up to date (and adds rows for people who have none): run it after a bulk people import.
On PostgreSQL the rewritten tables are vacuumed and analysed afterwards (the rankings and the
entry list count from their indexes alone, which needs a current visibility map).
"""

from __future__ import annotations

import resource
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.dbstats import analyze
from points import services
from points.models import PointEntry, PointScore
from points.sources import registered_sources, source_years, sync_people


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class Command(BaseCommand):
    help = "按记录重新计算党员积分（系统计分）：幂等，可重复运行"

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, action="append", default=[], help="年度，可重复，如 --year 2022 --year 2023"
        )
        parser.add_argument("--all", action="store_true", help="所有有记录的年度")
        parser.add_argument("--source", action="append", default=[], help="只重算这些计分来源（默认全部）")
        parser.add_argument("--people", action="store_true", help="只更新积分汇总中的人员信息（批量导入人员后运行）")

    def handle(self, *args, **opts):
        if opts["people"]:
            started = time.perf_counter()
            with transaction.atomic():
                changed = sync_people(log=self.stdout.write)
            self._vacuum()
            self.stdout.write(
                self.style.SUCCESS(
                    f"完成：积分汇总人员信息 {changed:,} 行，用时 {time.perf_counter() - started:.1f} 秒"
                )
            )
            return
        years = sorted(set(opts["year"]))
        if opts["all"]:
            years = sorted(set(years) | set(source_years()))
        if not years:
            raise CommandError("请用 --year 指定年度，或用 --all 重算所有有记录的年度")
        today = timezone.localdate()
        if any(y < 2000 or y > today.year for y in years):
            raise CommandError(f"年度应在2000年至{today.year}年之间")
        known = {s.code for s in registered_sources()}
        unknown = set(opts["source"]) - known
        if unknown:
            raise CommandError(f"未知的计分来源：{'、'.join(sorted(unknown))}；可选：{'、'.join(sorted(known))}")
        started = time.perf_counter()
        total = 0
        for year in years:
            result = services.year_recompute(
                actor=None, year=year, sources=opts["source"] or None, log=self.stdout.write
            )
            total += result.created
            self.stdout.write(
                f"{year}年完成：删除 {result.removed:,} 条，写入 {result.created:,} 条，"
                f"汇总 {result.scores:,} 人，用时 {result.seconds:.1f} 秒"
            )
        self._vacuum(PointEntry, PointScore)
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：{len(years)} 个年度，系统计分 {total:,} 条，用时 {time.perf_counter() - started:.1f} 秒，"
                f"进程峰值内存 {peak_rss_mb():.0f} MB"
            )
        )

    def _vacuum(self, *models) -> None:
        """VACUUM ANALYZE the rewritten tables (PostgreSQL): the rankings and the entry list count
        from index-only scans, which read the table wherever the visibility map is not current."""
        analyze(*(models or (PointScore,)), vacuum=True)
