"""`python manage.py bench_reports`: the work report and the dashboard, timed on this database.

- 报告：drafting (reports.services.draft_generate, inside a transaction that is rolled back, so the
  database is unchanged) and the Word export (reports.docx.render_docx into memory) of the demo
  bureau's and of the scale tree's committee report for a half year;
- 驾驶舱：the dashboard frame, each area panel and the alerts panel through the Django test client
  (as `scale_admin`, else `committee`, or --user), p50/p95 and SQL queries per request;
- 分项：each registered statistic, chart, alert, report section and next-steps source once, the
  slowest first — to see which registration makes a page slow.

Reuses the measuring helpers of core's `bench` command.
"""

from __future__ import annotations

import io
import json
import math
import os
import statistics
import time
from urllib.parse import urlencode

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.management.commands.bench import Command as CoreBench
from core.management.commands.bench import Measurement, _db_label, pick_user
from core.periods import Period, PeriodError

SECTIONS = ("report", "dashboard", "breakdown")


def last_complete_half(today) -> Period:
    if today.month > 6:
        return Period.parse(f"{today.year}H1")
    return Period.parse(f"{today.year - 1}H2")


def pct(values: list[float], p: float) -> float:
    data = sorted(values)
    return data[max(0, math.ceil(p / 100 * len(data)) - 1)]


class Command(BaseCommand):
    help = "性能基准：工作报告起草与 Word 导出用时、驾驶舱各面板 p50/p95 与查询数、各注册指标用时"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20, help="驾驶舱每个请求的测量次数（默认 20，另有 2 次预热）")
        parser.add_argument("--report-repeat", type=int, default=3, help="报告起草+导出的测量次数（默认 3）")
        parser.add_argument("--period", help="期间（默认：最近一个完整的半年）")
        parser.add_argument(
            "--org", action="append", help="报告的党组织编码，可多次指定（默认：演示党委与规模数据根组织）"
        )
        parser.add_argument("--user", help="驾驶舱以该账号身份测量（默认 scale_admin 或 committee）")
        parser.add_argument("--only", default=",".join(SECTIONS), help=f"只测这些项目：{','.join(SECTIONS)}")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        from orgs.demo import ROOT_CODE
        from orgs.models import Organization

        only = {s.strip() for s in opts["only"].split(",") if s.strip()}
        if only - set(SECTIONS):
            raise CommandError(f"未知的项目：{'、'.join(sorted(only - set(SECTIONS)))}")
        today = timezone.localdate()
        try:
            period = Period.parse(opts["period"]) if opts["period"] else last_complete_half(today)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        user = pick_user(opts["user"])
        codes = opts["org"] or [ROOT_CODE, "SCALE-ROOT"]
        orgs = [o for code in codes if (o := Organization.objects.filter(code=code).first()) is not None]
        if not orgs:
            raise CommandError("没有找到要生成报告的党组织：请先运行 load_demo / generate_scale_data，或用 --org 指定")
        result: dict = {
            "database": _db_label(),
            "user": user.username,
            "period": period.code,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
        }
        say = (lambda _m: None) if opts["json"] else self.stdout.write
        say(
            f"数据库：{result['database']}；账号：{user.username}；期间：{period.label}；机器负载 {result['load_average'][0]:.1f}（{result['cpus']} 核）"
        )
        # The stored obligations (meetings.obligation_store) of the period's years: built once, on
        # first use or by the daily send_reminders; timed here apart from the pages that read them.
        from meetings import obligation_store
        from meetings.models import ObligationRecord

        years = range(period.start.year, period.end.year + 1)
        t0 = time.perf_counter()
        obligation_store.ensure_years(years)
        result["obligations_build_s"] = round(time.perf_counter() - t0, 2)
        result["obligation_rows"] = ObligationRecord.objects.filter(year__in=years).count()
        say(
            f"组织生活落实情况：{result['obligation_rows']} 项（本次生成用时 {result['obligations_build_s']} 秒，已生成则为 0）"
        )
        if "report" in only:
            result["reports"] = [self._report(org, period, opts["report_repeat"], say) for org in orgs]
        if "dashboard" in only:
            result["dashboard"] = self._dashboard(user, period, opts["repeat"], say)
        if "breakdown" in only:
            result["breakdown"] = self._breakdown(user, period, say)
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))

    # ------------------------------------------------------------------ report

    def _report(self, organization, period: Period, repeat: int, say) -> dict:
        from reports import docx as report_docx
        from reports.services import draft_generate

        drafting, exporting = [], []
        size = paragraphs = figures = 0
        for _ in range(max(1, repeat)):
            with transaction.atomic():
                start = time.perf_counter()
                draft = draft_generate(actor=None, organization=organization, period=period)
                drafting.append(time.perf_counter() - start)
                start = time.perf_counter()
                buffer = io.BytesIO()
                paragraphs = report_docx.render_docx(draft.content, buffer)
                exporting.append(time.perf_counter() - start)
                size = buffer.tell()
                figures = sum(len(b.get("figures", {})) for b in draft.content["blocks"])
                transaction.set_rollback(True)
        total = [a + b for a, b in zip(drafting, exporting, strict=True)]
        row = {
            "organization": organization.name,
            "code": organization.code,
            "draft_s": round(statistics.median(drafting), 2),
            "export_s": round(statistics.median(exporting), 2),
            "total_median_s": round(statistics.median(total), 2),
            "total_max_s": round(max(total), 2),
            "paragraphs": paragraphs,
            "figures": figures,
            "docx_kb": round(size / 1024, 1),
        }
        say(
            f"报告 {organization.name}（{organization.code}）：起草 {row['draft_s']:.2f} 秒 + 导出 Word {row['export_s']:.2f} 秒"
            f" = {row['total_median_s']:.2f} 秒（中位数，最慢 {row['total_max_s']:.2f} 秒，{len(total)} 次）；"
            f"正文 {paragraphs} 段，数字 {figures} 处，{row['docx_kb']} KB"
        )
        return row

    # ------------------------------------------------------------------ dashboard

    def _dashboard(self, user, period: Period, repeat: int, say) -> list[dict]:
        from reports.selectors import dashboard_areas, home_organization

        org = home_organization(user)
        query = {"org": org.pk, "period": period.code}
        pages = [
            Measurement("驾驶舱 页面框架", reverse("reports:dashboard") + "?" + urlencode(query)),
            Measurement("驾驶舱 预警面板", reverse("reports:dashboard_alerts") + "?" + urlencode(query)),
        ]
        for area in dashboard_areas(user):
            pages.append(
                Measurement(
                    f"驾驶舱 {area}", reverse("reports:dashboard_area") + "?" + urlencode({"area": area, **query})
                )
            )
        core = CoreBench()
        client = core._client(user)
        for m in pages:
            core._measure(client, m, repeat)
        rows = [m.as_dict() for m in pages]
        say(f"\n驾驶舱（{org.name}，{period.label}，每项 {repeat} 次）")
        say(f"{'请求':<28}{'p50(ms)':>10}{'p95(ms)':>10}{'CPU p50':>10}{'查询数':>8}")
        for r in rows:
            if "error" in r:
                say(f"{r['label']:<28}失败：{r['error']}")
            else:
                say(
                    f"{r['label']:<28}{r['p50_ms']:>10.1f}{r['p95_ms']:>10.1f}{r['cpu_p50_ms']:>10.1f}{r['queries']:>8}"
                )
        ok = [m for m in pages if m.times_ms]
        if ok and all(len(m.times_ms) == len(ok[0].times_ms) for m in ok):
            # The browser loads the panels in parallel; a single-threaded reading of all of them:
            sums = [sum(m.times_ms[i] for m in ok) for i in range(len(ok[0].times_ms))]
            say(f"{'全部面板依次请求合计':<24}{statistics.median(sums):>10.1f}{pct(sums, 95):>10.1f}")
            rows.append(
                {
                    "label": "全部面板合计",
                    "p50_ms": round(statistics.median(sums), 1),
                    "p95_ms": round(pct(sums, 95), 1),
                }
            )
        return rows

    # ------------------------------------------------------------------ what each registration costs

    def _breakdown(self, user, period: Period, say) -> list[dict]:
        from core import stats
        from core.stats import memo_scope
        from reports.selectors import home_organization

        org = home_organization(user)
        timings = []

        def timed(kind: str, code: str, func):
            start = time.perf_counter()
            try:
                func()
                error = ""
            except Exception as exc:  # noqa: BLE001 - report and go on
                error = f"{type(exc).__name__}: {exc}"
            timings.append(
                {"kind": kind, "code": code, "ms": round((time.perf_counter() - start) * 1000, 1), "error": error}
            )

        for s in stats.registered_statistics():
            timed("统计指标", s.code, lambda s=s: s.compute(period, org, user))
        for c in stats.registered_charts():
            with memo_scope():
                timed("图表", c.code, lambda c=c: c.build(period, org, user))
        for code, func in sorted(stats._ALERTS.items()):
            with memo_scope():
                timed("预警", code, lambda func=func: func(period, org, user))
        for sec in stats.registered_sections():
            with memo_scope():
                timed("报告段落", sec.code, lambda sec=sec: sec.build(period, org, user))
        for src in stats.registered_next_steps():
            with memo_scope():
                timed("下一步打算", src.code, lambda src=src: src.build(period, org, user))
        timings.sort(key=lambda t: -t["ms"])
        total = sum(t["ms"] for t in timings)
        say(f"\n分项用时（{org.name}，{period.label}，各执行一次，合计 {total:.0f} ms；最慢的 12 项）")
        for t in timings[:12]:
            say(f"  {t['ms']:>8.1f} ms  {t['kind']}  {t['code']}{'  出错：' + t['error'] if t['error'] else ''}")
        return timings
