"""`python manage.py rebuild_derived [--only obligations,problems,fulfilment,points] [--check]`

Rebuilds every derived table from the records, one after the other, with progress: the stored
organizational-life obligations (the years built so far and this year), the rectification
summary (`rebuild_problem_summary`), the 主体责任 coverage (`rebuild_fulfilment`) and the points
with their ranking copies (`recompute_points --all`).

The services keep these tables current; run this once after `migrate` on an upgraded database
(so that no user waits for a first build), after restoring a backup of only some tables, or after
writing records outside the application. Each part is idempotent. At city scale it takes several
minutes, most of it the points.

`--check` also tells whether the tables held what the rebuild produced: each table's content
(the columns that say what a row counts, not its id or timestamps) is fingerprinted before and
after, and the command fails naming every table that differed. Tables not built yet (built on
first read) are built and not compared, and only the obligation years already built are rebuilt.
The upgrade check (scripts/upgrade_check.py) runs it on a migrated database.
"""

from __future__ import annotations

import time

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

PARTS = {
    "obligations": "组织生活落实情况（按年度）",
    "problems": "问题整改月度汇总",
    "fulfilment": "主体责任清单落实覆盖",
    "points": "党员积分与排名汇总",
}

# What `--check` compares: each part's tables and the columns that make a row's content.
CONTENT = {
    "obligations": [
        (
            "meetings.ObligationRecord",
            ("organization_id", "org_path", "kind", "year", "period_code", "period_start", "period_end")
            + ("required", "held", "due_on", "form_org_id"),
        ),
    ],
    "problems": [
        (
            "supervision.ProblemMonthSummary",
            ("path", "level", "source", "span", "month", "found", "pending", "in_progress", "applied")
            + ("closed", "on_time"),
        ),
    ],
    "fulfilment": [("duties.FulfilmentHit", ("item_id", "period_code", "period_start", "source", "object_id"))],
    "points": [
        (
            "points.PointEntry",
            ("person_id", "year", "date", "points", "kind", "source", "content_type_id", "object_id", "rule_code")
            + ("description", "status", "org_path"),
        ),
        (
            "points.PointScore",
            ("person_id", "year", "q1", "q2", "q3", "q4", "total", "entries", "organization_id", "org_path")
            + ("department_id", "party_status", "deleted_at", "name", "name_pinyin", "name_initials"),
        ),
        ("points.PointScoreYear", ("year",)),
    ],
}

_MASK = (1 << 64) - 1


def fingerprint(label: str, columns: tuple[str, ...]) -> tuple[int, int]:
    """(rows, an order-independent hash of their content), streamed: constant memory at any size."""
    rows = digest = 0
    for row in apps.get_model(label)._base_manager.values_list(*columns).order_by().iterator(chunk_size=5000):
        rows += 1
        digest = (digest + hash(row)) & _MASK
    return rows, digest


class Command(BaseCommand):
    help = "从业务记录重建全部派生数据表（组织生活落实、整改汇总、主体责任覆盖、党员积分），显示进度"

    def add_arguments(self, parser):
        parser.add_argument("--only", default="", help=f"只重建其中几项，逗号分隔：{','.join(PARTS)}")
        parser.add_argument(
            "--check", action="store_true", help="同时核对重建前的数据表与重建结果是否一致，不一致时报错"
        )

    def handle(self, *args, **opts):
        wanted = [p.strip() for p in opts["only"].split(",") if p.strip()] or list(PARTS)
        unknown = [p for p in wanted if p not in PARTS]
        if unknown:
            raise CommandError(f"未知的部分：{'、'.join(unknown)}；可选：{'、'.join(PARTS)}")
        differing: list[str] = []
        started = time.perf_counter()
        for number, part in enumerate(wanted, start=1):
            self.stdout.write(f"[{number}/{len(wanted)}] {PARTS[part]}……")
            self.stdout.flush()
            began = time.perf_counter()
            compare = opts["check"] and self._built(part)
            before = {label: fingerprint(label, cols) for label, cols in CONTENT[part]} if compare else {}
            self.comparing = compare
            getattr(self, f"_{part}")()
            self.stdout.write(f"      完成，用时 {time.perf_counter() - began:.1f} 秒")
            for label, cols in CONTENT[part] if compare else ():
                after = fingerprint(label, cols)
                if after == before[label]:
                    self.stdout.write(f"      核对 {label}：{after[0]:,} 行，与重建结果一致")
                else:
                    differing.append(f"{label}（重建前 {before[label][0]:,} 行，重建后 {after[0]:,} 行）")
                    self.stdout.write(self.style.ERROR(f"      核对 {label}：与重建结果不一致"))
            if opts["check"] and not compare:
                self.stdout.write(f"      {PARTS[part]}尚未生成（首次读取时生成），本次生成，不核对")
        if differing:
            raise CommandError("派生数据与重建结果不一致：" + "；".join(differing))
        self.stdout.write(self.style.SUCCESS(f"派生数据已全部重建，共用时 {time.perf_counter() - started:.1f} 秒。"))

    def _built(self, part: str) -> bool:
        """Whether the part's tables hold a build to compare (two are built on first read)."""
        if part == "fulfilment":
            from duties.models import FulfilmentBuild

            return FulfilmentBuild.objects.exists()
        if part == "obligations":
            from meetings import obligation_store

            return bool(obligation_store.built_years())
        return True

    def _obligations(self):
        from meetings import obligation_store

        years = obligation_store.built_years()
        if not self.comparing:  # compared: the built years only, so that the two sides match
            years |= {timezone.localdate().year}
        for year, rows in obligation_store.rebuild(years).items():
            self.stdout.write(f"      {year}年：{rows:,} 项")

    def _problems(self):
        call_command("rebuild_problem_summary", stdout=self.stdout)

    def _fulfilment(self):
        call_command("rebuild_fulfilment", stdout=self.stdout)

    def _points(self):
        call_command("recompute_points", "--all", stdout=self.stdout)
