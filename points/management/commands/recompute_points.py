"""`python manage.py recompute_points --year 2022 [--year 2023] | --all [--source meetings]`

Rebuilds the derived point entries of the given years from their records (every registered point
source, or the named ones) and the yearly sums, idempotently: run it after editing a points rule,
after importing records in bulk (imports and generators that bypass the services do not derive
points) or nightly as a safety net. Manual entries are kept. Each year is one transaction;
progress is printed as it goes, then the time and the peak memory of the process.
"""

from __future__ import annotations

import resource
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from points import services
from points.sources import registered_sources, source_years


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

    def handle(self, *args, **opts):
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
                f"汇总 {result.scores:,} 名党员，用时 {result.seconds:.1f} 秒"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：{len(years)} 个年度，系统计分 {total:,} 条，用时 {time.perf_counter() - started:.1f} 秒，"
                f"进程峰值内存 {peak_rss_mb():.0f} MB"
            )
        )
