"""`python manage.py bench [--repeat N]`: response times and query counts on the current database.

Measures, as a committee administrator and through the Django test client (full middleware,
view and template stack, no network): the people list (first page and the last page), search by
pinyin initials and by a Chinese name fragment, the organization list, and organizational life
(`--only meetings`: the meeting ledger, the committee heatmap and a branch's obligations page) —
p50/p95 in ms and the number of SQL queries per request. Then the export of every visible person (time and peak memory,
measured in a child process so the figure is the export's own) and the import throughput of
10,000 generated rows (inside a transaction that is rolled back, so the database is unchanged).

Works on whichever database DATABASE_URL names. Run `generate_scale_data` first for the figures
in docs/BENCHMARKS.md (and `generate_meeting_data` for the meeting pages). Side effects: the benchmark logs the account in (a session row and
`last_login`), nothing else.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User

SECTIONS = ("list", "search", "orgs", "meetings", "export", "import")


@dataclass
class Measurement:
    label: str
    url: str
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # this process only: less sensitive to a busy machine
    queries: list[int] = field(default_factory=list)
    status: int = 0

    def pct(self, p: float) -> float:
        """Nearest-rank percentile."""
        data = sorted(self.times_ms)
        return data[max(0, math.ceil(p / 100 * len(data)) - 1)]

    @property
    def query_text(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high}"

    def as_dict(self) -> dict:
        if self.status != 200 or not self.times_ms:
            return {"label": self.label, "url": self.url, "status": self.status, "error": f"HTTP {self.status}"}
        return {
            "label": self.label,
            "url": self.url,
            "status": self.status,
            "p50_ms": round(self.pct(50), 1),
            "p95_ms": round(self.pct(95), 1),
            "mean_ms": round(statistics.fmean(self.times_ms), 1),
            "cpu_p50_ms": round(statistics.median(self.cpu_ms), 1),
            "queries": self.query_text,
        }


def _rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _current_rss_mb() -> float:
    """Resident set size right now (Linux /proc); falls back to the peak elsewhere."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return _rss_mb()


def pick_user(username: str | None) -> User:
    """The account to benchmark as: --user, else the scale tree's or the demo's committee administrator."""
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号“{username}”不存在")
        return user
    from orgs.demo import SCALE_USERNAME

    for name in (SCALE_USERNAME, "committee"):
        user = User.objects.filter(username=name, is_active=True).first()
        if user is not None:
            return user
    user = (
        User.objects.filter(is_active=True, grants__role=Role.COMMITTEE_ADMIN)
        .order_by("grants__organization__path")
        .first()
    )
    if user is None:
        raise CommandError(
            "数据库中没有机关党委管理员账号：请先运行 load_demo 或 generate_scale_data，或用 --user 指定账号"
        )
    return user


class Command(BaseCommand):
    help = (
        "性能基准：人员列表、搜索、党组织列表、会议台账与落实情况的 p50/p95 与查询数，人员导出的时间与内存，导入吞吐量"
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20, help="每个页面的测量次数（默认 20，另有 2 次预热）")
        parser.add_argument("--user", help="以该账号身份测量（默认：scale_admin 或 committee）")
        parser.add_argument("--only", default=",".join(SECTIONS), help=f"只测这些项目，逗号分隔：{','.join(SECTIONS)}")
        parser.add_argument("--import-rows", type=int, default=10_000, help="导入测试的行数（默认 10000）")
        parser.add_argument("--fragment", default="", help="中文姓名片段搜索词（默认取一个在册人员姓名的后两个字）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        parser.add_argument("--child", choices=["export", "import"], help=argparse.SUPPRESS)  # internal

    def handle(self, *args, **opts):
        user = pick_user(opts["user"])
        if opts["child"]:
            result = run_export(user) if opts["child"] == "export" else run_import(user, opts["import_rows"])
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        only = {s.strip() for s in opts["only"].split(",") if s.strip()}
        unknown = only - set(SECTIONS)
        if unknown:
            raise CommandError(f"未知的项目：{'、'.join(sorted(unknown))}；可选：{','.join(SECTIONS)}")
        repeat = max(1, opts["repeat"])
        report: dict = {
            "database": _db_label(),
            "user": user.username,
            **_sizes(user),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
        }
        if not opts["json"]:
            self.stdout.write(
                f"数据库：{report['database']}；账号：{user.username}；"
                f"可见人员 {report['people']} 人，党组织 {report['orgs']} 个，会议 {report['meetings']} 次；每项 {repeat} 次"
            )
            load1 = report["load_average"][0]
            self.stdout.write(
                f"机器负载：{load1:.1f}（{report['cpus']} 核）"
                + ("——负载较高，结果偏慢" if load1 > (report["cpus"] or 1) else "")
            )
        pages = list(self._pages(user, only, report["people"], opts["fragment"]))
        client = self._client(user) if pages else None
        for m in pages:
            self._measure(client, m, repeat)
        report["pages"] = [m.as_dict() for m in pages]
        for section in ("export", "import"):
            if section in only:
                report[section] = self._child(section, user, opts)
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self._print(report)

    # ------------------------------------------------------------------ pages

    def _pages(self, user, only, people: int, fragment: str):
        from django.urls import reverse

        people_url = reverse("orgs:person_list")
        if "list" in only:
            yield Measurement("人员列表 第1页", people_url)
            last = max(1, math.ceil(people / getattr(settings, "PAGE_SIZE", 20)))
            yield Measurement(f"人员列表 第{last}页（末页）", f"{people_url}?page={last}")
        if "search" in only:
            yield Measurement("搜索 拼音首字母 zs", f"{people_url}?q=zs")
            fragment = fragment or _name_fragment(user)
            yield Measurement(f"搜索 姓名片段“{fragment}”", f"{people_url}?q={fragment}")
        if "orgs" in only:
            yield Measurement("党组织列表 第1页", reverse("orgs:organization_list"))
        if "meetings" in only:
            yield from _meeting_pages(user)

    def _client(self, user) -> Client:
        host = "testserver"
        allowed = settings.ALLOWED_HOSTS
        if allowed and "*" not in allowed and host not in allowed:
            host = allowed[0].lstrip(".")
        client = Client(HTTP_HOST=host, raise_request_exception=False)
        client.force_login(user)
        return client

    def _measure(self, client: Client, m: Measurement, repeat: int) -> None:
        request_log = logging.getLogger("django.request")
        level = request_log.level
        request_log.setLevel(logging.CRITICAL)  # a failing page is reported once in the table, not as tracebacks
        try:
            for i in range(repeat + 2):
                with CaptureQueriesContext(connection) as ctx:
                    start, cpu_start = time.perf_counter(), time.process_time()
                    response = client.get(m.url, secure=True)
                    elapsed = (time.perf_counter() - start) * 1000
                    cpu = (time.process_time() - cpu_start) * 1000
                m.status = response.status_code
                if response.status_code != 200:
                    return
                if i >= 2:  # two warm-up requests fill caches and open the connection
                    m.times_ms.append(elapsed)
                    m.cpu_ms.append(cpu)
                    m.queries.append(len(ctx.captured_queries))
        finally:
            request_log.setLevel(level)

    # ------------------------------------------------------------------ export / import

    def _child(self, section: str, user, opts) -> dict:
        manage = os.path.join(settings.BASE_DIR, "manage.py")
        cmd = [sys.executable, manage, "bench", "--child", section, "--user", user.username]
        cmd += ["--import-rows", str(opts["import_rows"])]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy(), check=False)  # noqa: S603
        if proc.returncode != 0:
            return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["子进程失败"]}
        try:
            return json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {"error": [proc.stdout.strip()[-300:]]}

    # ------------------------------------------------------------------ output

    def _print(self, report: dict) -> None:
        from orgs.management.commands.load_demo import format_table

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
        if rows:
            self.stdout.write("")
            self.stdout.write(
                format_table(("页面", "p50(ms)", "p95(ms)", "平均(ms)", "本进程CPU p50(ms)", "查询数"), rows)
            )
        exp = report.get("export")
        if exp is not None:
            self.stdout.write("")
            if "error" in exp:
                self.stdout.write(f"导出：未能测量（{'；'.join(exp['error'])}）")
            else:
                self.stdout.write(
                    f"导出全部人员：{exp['rows']} 行，用时 {exp['seconds']:.1f} 秒，文件 {exp['file_mb']:.1f} MB；"
                    f"进程峰值内存 {exp['peak_rss_mb']:.0f} MB（导出前 {exp['baseline_rss_mb']:.0f} MB）"
                )
        imp = report.get("import")
        if imp is not None:
            if "error" in imp:
                self.stdout.write(f"导入：未能测量（{'；'.join(imp['error'])}）")
            else:
                self.stdout.write(
                    f"导入 {imp['rows']} 行：用时 {imp['seconds']:.1f} 秒（校验并写入，{imp['rows_per_second']:.0f} 行/秒；"
                    f"生成文件 {imp['prepare_seconds']:.1f} 秒不计入）；结果：{imp['outcome']}；事务已回滚"
                )


def _db_label() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}（{s['NAME']}）"
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    return f"{version}（{s.get('HOST') or 'local'}/{s['NAME']}）"


def _sizes(user) -> dict:
    from meetings import selectors as meeting_selectors
    from orgs import selectors

    return {
        "people": selectors.people_visible(user).count(),
        "orgs": selectors.organizations_visible(user).count(),
        "meetings": meeting_selectors.meetings_visible(user).count(),
    }


def _meeting_pages(user):
    """Organizational life (issue 3): the meeting ledger, the committee heatmap and a branch's
    obligations page, on the organizations of the user's scope that hold the most meetings."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from meetings import selectors as meeting_selectors
    from orgs import selectors

    today = timezone.localdate()
    ledger = reverse("meetings:meeting_list")
    visible = selectors.organizations_visible(user)
    committee = visible.filter(org_type="committee", parent__isnull=False).order_by("path").first()
    branch = (
        visible.filter(org_type="branch", has_committee=True, has_cells=True).order_by("path").first()
        or visible.filter(org_type__in=["branch", "general_branch"]).order_by("path").first()
    )
    busiest = (
        meeting_selectors.meetings_visible(user)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("kind", flat=True)
        .first()
    )
    yield Measurement("会议台账 第1页", ledger)
    if committee is not None:
        yield Measurement(
            f"会议台账 按党组织+年度（{committee.name}，{today.year}）",
            f"{ledger}?org={committee.pk}&period={today.year}",
        )
    if busiest:
        yield Measurement(
            f"会议台账 按类型+期间（{busiest}，{today.year - 1}）", f"{ledger}?kind={busiest}&period={today.year - 1}"
        )
    if branch is not None:
        yield Measurement(f"会议台账 一个党支部（{branch.name}）", f"{ledger}?org={branch.pk}")
    yield Measurement("会议台账 搜索主题“廉政”", f"{ledger}?q=廉政")
    yield Measurement("落实情况 热力图（本年度，第1页）", reverse("meetings:compliance"))
    if committee is not None:
        yield Measurement("落实情况 热力图（一个机关党委）", f"{reverse('meetings:compliance')}?org={committee.pk}")
    if branch is not None:
        yield Measurement(f"支部组织生活（{branch.name}）", reverse("meetings:branch_view", args=[branch.pk]))


def _name_fragment(user) -> str:
    """The last two characters of a visible person's name (a realistic 'part of a name' search)."""
    from orgs import selectors

    name = selectors.people_visible(user).order_by("pk").values_list("name", flat=True).first() or "张三"
    return name[-2:] if len(name) >= 3 else name[-1]


# ---------------------------------------------------------------------- child processes


def run_export(user) -> dict:
    """Export every person visible to `user` (as the export view does) into a temporary file.

    Uses the exporter's `write` (the view's `export` adds only the audit entry and the file
    response), so the benchmark writes nothing to the database. Peak memory is this child
    process's maximum resident set size, reported together with the size before the export.
    """
    import orgs.exporters  # noqa: F401 - registers the exporters
    from core.exporters import exporter_for
    from orgs import selectors

    queryset = selectors.people_list(user)
    exporter = exporter_for("orgs.people")(user)
    baseline = _current_rss_mb()
    with tempfile.TemporaryFile(suffix=".xlsx") as fp:
        start = time.perf_counter()
        rows = exporter.write(queryset, fp)
        seconds = time.perf_counter() - start
        size = fp.tell()
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "file_mb": round(size / 1024 / 1024, 2),
        "baseline_rss_mb": round(baseline, 1),
        # ru_maxrss (the kernel's high-water mark) is updated lazily and can read a little below
        # the RSS measured from /proc just before; the peak is at least what was resident then.
        "peak_rss_mb": round(max(_rss_mb(), _current_rss_mb(), baseline), 1),
    }


def _import_rows(user, count: int) -> list[list]:
    """`count` new, valid people in the user's scope, as rows of the import template."""
    from orgs import selectors
    from orgs.demo import NameMaker
    from orgs.importers import PERSON_IMPORT_FIELDS
    from orgs.models import Department, Person

    writable = selectors.organizations_visible(user, "change")
    depts = list(
        Department.objects.filter(organization__in=writable.filter(org_type__in=["branch", "general_branch"]))
        .select_related("unit", "organization")
        .order_by("pk")[:2000]
    )
    orgs = list(writable.filter(org_type__in=["branch", "cell"]).order_by("pk")[:2000])
    if not depts and not orgs:
        raise CommandError("该账号没有可以导入人员的党组织")
    maker = NameMaker(seed=4242)
    maker.ids.update(Person.all_objects.exclude(id_number="").values_list("id_number", flat=True))
    keys = [f.key for f in PERSON_IMPORT_FIELDS]
    rows = []
    for i in range(count):
        gender = "M" if i % 2 else "F"
        birth = maker.birth_date((1970, 1998))
        joined = birth.replace(year=birth.year + 24) if not (birth.month == 2 and birth.day == 29) else None
        values = {
            "name": maker.name(gender),
            "gender": "男" if gender == "M" else "女",
            "id_number": maker.id_number(birth, gender),
            "party_status": "正式党员" if joined else "群众",
            "joined_party_on": joined,
            "full_member_on": joined.replace(year=joined.year + 1) if joined else None,
            "job_title": "科员",
            "phone": maker.phone(),
        }
        if depts:
            dept = depts[i % len(depts)]
            values.update(organization_code=dept.organization.code, unit=dept.unit.name, department=dept.name)
        else:
            values["organization_code"] = orgs[i % len(orgs)].code
        rows.append([values.get(k) for k in keys])
    return rows


def run_import(user, count: int) -> dict:
    """Import `count` generated rows through the people importer, then roll everything back."""
    from openpyxl import Workbook

    from orgs.importers import PERSON_IMPORT_FIELDS, PersonImporter

    start = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(PersonImporter.sheet_title)
    ws.append([f.header for f in PERSON_IMPORT_FIELDS])
    for row in _import_rows(user, count):
        ws.append(row)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fp:
        wb.save(fp.name)
        prepare = time.perf_counter() - start
        with transaction.atomic():
            start = time.perf_counter()
            result = PersonImporter(user, filename="bench.xlsx").run(fp.name)
            seconds = time.perf_counter() - start
            transaction.set_rollback(True)  # measure the writes, keep the database unchanged
    if result.file_error or result.errors:
        outcome = f"失败：{(result.messages() or ['未知错误'])[0]}（共 {len(result.errors)} 个错误）"
    else:
        outcome = f"新增 {result.created} 人"
    return {
        "rows": count,
        "seconds": round(seconds, 2),
        "rows_per_second": round(count / seconds, 1) if seconds else 0,
        "prepare_seconds": round(prepare, 2),
        "outcome": outcome,
        "committed_then_rolled_back": result.committed,
        "peak_rss_mb": round(_rss_mb(), 1),
    }
