"""`python manage.py bench_supervision [--repeat N] [--user NAME]`: the rectification ledger, its
statistics page and the 督办 command on the current database (run generate_supervision_data first).

Pages are measured as core's `bench` does (Django test client, full stack, as a committee
administrator): p50/p95 in ms and the SQL queries per request. The reminder/督办 command runs over
every open problem twice — the first run issues the backlog of 督办单 and reminders, the second
finds nothing new — and then core's `send_reminders` (which also runs it) once, all inside a
transaction that is rolled back, so the database is unchanged.
"""

from __future__ import annotations

import os
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.management.commands.bench import Command as CoreBench
from core.management.commands.bench import Measurement, _db_label, pick_user
from supervision import selectors
from supervision.models import OPEN_STATUSES, EscalationNotice, Problem


class Command(BaseCommand):
    help = "性能基准：问题整改台账、整改统计页面的 p50/p95 与查询数，督办命令覆盖全部未销号问题的用时"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20, help="每个页面的测量次数（默认 20，另有 2 次预热）")
        parser.add_argument("--user", help="以该账号身份测量（默认：scale_admin 或 committee）")
        parser.add_argument("--skip-command", action="store_true", help="不测督办命令")

    def handle(self, *args, repeat: int, user=None, skip_command=False, **options):
        user = pick_user(user)
        today = timezone.localdate()
        visible = selectors.problems_visible(user)
        sizes = visible.aggregate(
            total=Count("id"),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_on__lt=today)),
        )
        self.stdout.write(
            f"数据库：{_db_label()}；账号：{user.username}；可见问题 {sizes['total']:,} 个"
            f"（未销号 {sizes['open']:,}，逾期 {sizes['overdue']:,}）；每项 {repeat} 次"
        )
        bench = CoreBench()
        client = bench._client(user)
        pages = list(self._pages(user, today))
        for m in pages:
            bench._measure(client, m, max(1, repeat))
        from orgs.management.commands.load_demo import format_table

        rows = [
            (p.label, f"{p.pct(50):.1f}", f"{p.pct(95):.1f}", f"{statistics.median(p.cpu_ms):.1f}", p.query_text)
            if p.times_ms
            else (p.label, "—", "—", "—", f"HTTP {p.status}")
            for p in pages
        ]
        self.stdout.write("")
        self.stdout.write(format_table(("页面", "p50(ms)", "p95(ms)", "本进程CPU p50(ms)", "查询数"), rows))
        load = "，".join(f"{x:.1f}" for x in os.getloadavg())
        self.stdout.write(f"机器负载（1/5/15 分钟）：{load}（{os.cpu_count()} 核）")
        if not skip_command:
            self.stdout.write("")
            self._command(today)

    def _pages(self, user, today):
        from orgs import selectors as org_selectors

        ledger = reverse("supervision:problem_list")
        stats = reverse("supervision:problem_stats")
        visible = org_selectors.organizations_visible(user)
        committee = visible.filter(org_type="committee", parent__isnull=False).order_by("path").first()
        branch = (
            Problem.objects.filter(org_path__startswith=committee.path if committee else "")
            .values("organization_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("organization_id", flat=True)
            .first()
        )
        year = today.year
        yield Measurement("整改台账 第1页（全部）", ledger)
        yield Measurement("整改台账 逾期（红）", f"{ledger}?urgency=overdue")
        yield Measurement("整改台账 未销号，按整改时限排序", f"{ledger}?status=open&sort=due_on")
        yield Measurement(
            f"整改台账 来源+期间（述职评议，{year - 1}）", f"{ledger}?source=secretary_report&period={year - 1}"
        )
        if committee is not None:
            yield Measurement(
                f"整改台账 一个机关党委+本年度（{committee.name}）", f"{ledger}?org={committee.pk}&period={year}"
            )
        if branch:
            yield Measurement("整改台账 一个党支部", f"{ledger}?org={branch}")
        yield Measurement("整改台账 搜索“台账”", f"{ledger}?q=台账")
        # Four characters found in few problems: the trigram indexes (two characters have none).
        yield Measurement("整改台账 搜索“巡察反馈”", f"{ledger}?q=巡察反馈")
        yield Measurement("整改台账 第100页", f"{ledger}?page=100")
        half = "H1" if today.month <= 6 else "H2"
        yield Measurement(f"整改统计 全部（默认：本半年 {year}{half}）", stats)
        yield Measurement(f"整改统计 全部（{year}年）", f"{stats}?period={year}")
        yield Measurement(f"整改统计 全部（{year - 2}—{year}年）", f"{stats}?period={year - 2}-01-01..{year}-12-31")
        if committee is not None:
            yield Measurement(f"整改统计 一个机关党委（{year}年）", f"{stats}?org={committee.pk}&period={year}")
        sample = Problem.objects.order_by("-pk").values_list("pk", flat=True).first()
        if sample:
            yield Measurement("问题详情", reverse("supervision:problem_detail", args=[sample]))

    def _command(self, today) -> None:
        from core.reminders import send_all
        from supervision.reminders import STAGE_WORDS, send_problem_reminders

        with transaction.atomic():
            for label in ("首次运行（补发积压的提醒与督办单）", "再次运行（无新事项）"):
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    counts = send_problem_reminders(today)
                    seconds = time.perf_counter() - start
                parts = "，".join(f"{STAGE_WORDS[k]} {v:,}" for k, v in counts.items())
                self.stdout.write(f"督办命令 {label}：{seconds:.1f} 秒，{len(ctx.captured_queries)} 次查询（{parts}）")
            self.stdout.write(f"  督办单共 {EscalationNotice.objects.count():,} 份")
            start = time.perf_counter()
            summary = send_all(today)
            self.stdout.write(
                f"send_reminders（全部提醒，含通用跟踪事项循环）：{time.perf_counter() - start:.1f} 秒；{summary}"
            )
            transaction.set_rollback(True)
        self.stdout.write("（以上写入均已回滚，数据库未改变）")
