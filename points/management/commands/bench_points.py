"""`python manage.py bench_points [--repeat 20] [--year 2026] [--recompute 2025] [--json]`

Points at scale (issue 5): response times and query counts of the ranking pages and a member's
own page, through the Django test client like `bench` (whose measuring helpers it reuses), then —
with `--recompute YEAR` — a full recomputation of that year's derived points in a child process
(`recompute_points --year YEAR`: wall time and the child's peak memory).

Run on a database with the scale tree and its meetings (`generate_scale_data`,
`generate_meeting_data`) after `recompute_points --all`. The committee pages are measured as
`scale_admin` (or --user); the member's page as a temporary account linked to the member with the
most entries of the year (the account `points_bench_member`, no usable password, created on the
first run and re-linked on each run).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from core.management.commands.bench import Command as CoreBench
from core.management.commands.bench import Measurement, _db_label, pick_user
from orgs.models import Organization
from points.models import PointEntry, PointScore

BENCH_MEMBER = "points_bench_member"


class Command(BaseCommand):
    help = "党员积分性能基准：积分排名、我的积分页面的 p50/p95 与查询数，整年重算用时与内存"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20, help="每个页面的测量次数（默认 20，另有 2 次预热）")
        parser.add_argument("--user", help="委员会页面的测量账号（默认 scale_admin 或 committee）")
        parser.add_argument("--year", type=int, help="测量的年度（默认今年）")
        parser.add_argument("--recompute", type=int, help="另外测量该年度系统计分的整年重算（子进程）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        user = pick_user(opts["user"])
        year = opts["year"] or timezone.localdate().year
        repeat = max(1, opts["repeat"])
        core = CoreBench()
        report = {
            "database": _db_label(),
            "user": user.username,
            "year": year,
            "entries": PointEntry.objects.count(),
            "scores": PointScore.objects.filter(year=year, entries__gt=0).count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
        }
        if not report["entries"]:
            raise CommandError("数据库中没有积分记录：请先运行 recompute_points --all")
        pages = list(self._committee_pages(user, year))
        client = core._client(user)
        for m in pages:
            core._measure(client, m, repeat)
        member_pages, member = self._member_pages(year)
        if member is not None:
            member_client = core._client(member)
            for m in member_pages:
                core._measure(member_client, m, repeat)
        report["pages"] = [m.as_dict() for m in pages + member_pages]
        if opts["recompute"]:
            report["recompute"] = self._recompute(opts["recompute"])
        report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self._print(report)

    # ------------------------------------------------------------------ pages

    def _committee_pages(self, user, year: int):
        ranking = reverse("points:ranking")
        yield Measurement(f"积分排名 第1页（{year}）", f"{ranking}?period={year}")
        yield Measurement(f"积分排名 第2000页（{year}）", f"{ranking}?period={year}&page=2000")
        yield Measurement(f"积分排名 上半年+积分段70–79（{year}H1）", f"{ranking}?period={year}H1&band=70-79")
        yield Measurement("积分排名 姓名拼音首字母 zs", f"{ranking}?period={year}&q=zs")
        committee = Organization.objects.filter(org_type="committee", parent__isnull=False).order_by("path").first()
        if committee is not None:
            yield Measurement(
                f"积分排名 一个机关党委（{committee.name}）", f"{ranking}?period={year}&org={committee.pk}"
            )
        groups = reverse("points:group_ranking")
        yield Measurement("党组织平均积分排名", f"{groups}?period={year}")
        yield Measurement("科室平均积分排名", f"{groups}?by=department&period={year}")
        yield Measurement(f"积分明细 第1页（{year}）", f"{reverse('points:entry_list')}?period={year}")
        top = PointScore.objects.filter(year=year).order_by("-entries").values_list("person_id", flat=True).first()
        if top:
            yield Measurement("党员积分页（委员会查看）", f"{reverse('points:person_points', args=[top])}?year={year}")

    def _member_pages(self, year: int):
        """The member with the most entries of the year, through a temporary member account."""
        top = (
            PointEntry.objects.filter(year=year)
            .filter(Q(person__user__isnull=True) | Q(person__user__username=BENCH_MEMBER))
            .values("person_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("person_id", flat=True)
            .first()
        )
        if top is None:
            return [], None
        from orgs.models import Person

        person = Person.objects.get(pk=top)
        member, _ = User.objects.update_or_create(username=BENCH_MEMBER, defaults={"person": person, "is_active": True})
        member.set_unusable_password()
        member.save(update_fields=["password"])
        RoleGrant.objects.filter(user=member).delete()
        RoleGrant.objects.create(user=member, role=Role.MEMBER, organization=person.organization)
        n = PointEntry.objects.filter(person=person, year=year).count()
        url = reverse("points:mine")
        return [
            Measurement(f"我的积分（{n}条记录）", url),
            Measurement(f"我的积分 {year - 1}年", f"{url}?year={year - 1}"),
        ], member

    # ------------------------------------------------------------------ recomputation

    def _recompute(self, year: int) -> dict:
        manage = os.path.join(settings.BASE_DIR, "manage.py")
        cmd = [sys.executable, manage, "recompute_points", "--year", str(year)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy(), check=False)  # noqa: S603
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak = usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024
        created = PointEntry.objects.filter(year=year, kind="derived").count()
        return {
            "year": year,
            "entries": created,
            "seconds": round(seconds, 1),
            "peak_rss_mb": round(peak, 1),
            "child_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "output": proc.stdout.strip().splitlines()[-1:],
        }

    # ------------------------------------------------------------------ output

    def _print(self, report: dict) -> None:
        from orgs.management.commands.load_demo import format_table

        self.stdout.write(
            f"数据库：{report['database']}；账号：{report['user']}；积分记录 {report['entries']:,} 条，"
            f"{report['year']}年有积分的党员 {report['scores']:,} 名；机器负载 {report['load_average'][0]:.1f}"
            f"→{report['load_average_after'][0]:.1f}（{report['cpus']} 核）"
        )
        rows = [
            (
                p["label"],
                f"{p['p50_ms']:.1f}",
                f"{p['p95_ms']:.1f}",
                f"{p['mean_ms']:.1f}",
                f"{p['cpu_p50_ms']:.1f}",
                p["queries"],
            )
            if "error" not in p
            else (p["label"], "—", "—", "—", "—", f"失败：{p['error']}")
            for p in report["pages"]
        ]
        self.stdout.write("")
        self.stdout.write(format_table(("页面", "p50(ms)", "p95(ms)", "平均(ms)", "本进程CPU p50(ms)", "查询数"), rows))
        rec = report.get("recompute")
        if rec:
            self.stdout.write("")
            if "error" in rec:
                self.stdout.write(f"整年重算：失败（{'；'.join(rec['error'])}）")
            else:
                self.stdout.write(
                    f"整年重算 {rec['year']}年：系统计分 {rec['entries']:,} 条，用时 {rec['seconds']:.1f} 秒，"
                    f"子进程峰值内存 {rec['peak_rss_mb']:.0f} MB，子进程CPU {rec['child_cpu_seconds']:.1f} 秒"
                )
