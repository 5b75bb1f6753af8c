"""Upgrade check: a database made by the previous release, migrated by this code.

    python scripts/upgrade_check.py [--from <commit>] [--pg postgres://postgres@127.0.0.1:5432]

1. The previous release (the commit in .ci/upgrade-base, or --from) is unpacked from git into a
   temporary folder; with its own code it migrates a new PostgreSQL database and loads the demo
   bureau into it, as a site running that release would have it.
2. This code migrates that database (`migrate`, then `migrate --check`: nothing left unapplied).
3. The derived tables (rectification summary, 主体责任 coverage, derived points and the ranking
   copies, stored obligations) must equal what `rebuild_derived` produces: tables built on first
   use are built as a first page read would build them, each table is read, `rebuild_derived`
   runs, the table is read again, and any row that differs is reported.
4. This code drafts and exports the demo work report (Word and Excel) from the upgraded database.

Both databases are dropped at the end. Exits 1 on any failure, with the step that failed. Uses
the project's virtual environment for both releases (the requirements are pinned; a release with
other requirements needs its own environment, see README).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB = "pb_upgrade_check"

# Each derived table with the columns that identify its content (ids and timestamps are not).
DERIVED = {
    "supervision_problemmonthsummary": "path, level, source, span, month, found, pending, in_progress, applied, "
    "closed, on_time",
    "duties_fulfilmenthit": "item_id, period_code, period_start, source, object_id",
    "points_pointentry": "person_id, year, date, points, kind, source, content_type_id, object_id, rule_code, "
    "description, status, org_path",
    "points_pointscore": "person_id, year, q1, q2, q3, q4, total, entries, organization_id, org_path, department_id, "
    "party_status, deleted_at, name, name_pinyin, name_initials",
    "points_pointscoreyear": "year",
    "meetings_obligationrecord": "organization_id, org_path, kind, year, period_code, period_start, period_end, "
    "required, held, due_on, form_org_id",
}
# What a first page read builds (主体责任 coverage, the stored obligations of the demo's years).
FIRST_READ = (
    "import datetime; from duties.coverage import ensure_built; from meetings import obligation_store; "
    "ensure_built(); obligation_store.ensure_years(range(2021, datetime.date.today().year + 1))"
)

_started = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - _started:6.1f} 秒] {message}", flush=True)


def fail(message: str) -> None:
    print(f"升级检查失败：{message}", file=sys.stderr, flush=True)
    sys.exit(1)


def run(args: list[str], *, cwd: Path, env: dict, what: str) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        fail(f"{what}（退出码 {proc.returncode}）\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return proc.stdout


def psql(pg: str, sql: str, db: str = "postgres") -> str:
    proc = subprocess.run(  # noqa: S603
        ["psql", f"{pg}/{db}", "-v", "ON_ERROR_STOP=1", "-qAtc", sql],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        fail(f"psql：{proc.stderr.strip()}")
    return proc.stdout


def snapshot(pg: str) -> dict[str, Counter]:
    """Each derived table's rows (identifying columns only) as a multiset of text lines."""
    result = {}
    for table, columns in DERIVED.items():
        rows = psql(pg, f"SELECT concat_ws('|', {columns}) FROM {table}", DB).splitlines()  # noqa: S608
        result[table] = Counter(rows)
    return result


def unpack(commit: str, into: Path) -> None:
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=False)  # noqa: S603, S607
    if archive.returncode != 0:
        fail(
            f"无法从 git 取出 {commit}：{archive.stderr.decode(errors='replace').strip()}（浅克隆时先 git fetch --unshallow）"
        )
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="base", help="上一版本的提交（默认读取 .ci/upgrade-base）")
    parser.add_argument("--pg", default=os.environ.get("PG_SERVER_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true", help="保留检查用的数据库（排查问题时）")
    opts = parser.parse_args()
    base = opts.base or (ROOT / ".ci" / "upgrade-base").read_text().split()[0]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout  # noqa: S607
    say(f"从 {base[:12]} 升级到当前代码 {head.strip()}（PostgreSQL 数据库 {DB}）")

    env = {**os.environ, "DATABASE_URL": f"{opts.pg}/{DB}", "DEMO_ALLOWED": "1", "DJANGO_DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    psql(opts.pg, f"DROP DATABASE IF EXISTS {DB}")
    psql(opts.pg, f"CREATE DATABASE {DB}")
    try:
        with tempfile.TemporaryDirectory(prefix="pb-upgrade-") as tmp:
            old = Path(tmp)
            unpack(base, old)
            say("上一版本：migrate")
            run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=old, env=env, what="上一版本建库")
            say("上一版本：load_demo")
            run([PYTHON, "manage.py", "load_demo"], cwd=old, env=env, what="上一版本装入演示数据")

        say("当前代码：migrate")
        out = run([PYTHON, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, what="当前代码迁移")
        applied = [line.strip() for line in out.splitlines() if line.strip().startswith("Applying")]
        say(f"  应用了 {len(applied)} 个迁移" + ("：" + "，".join(a.split()[1] for a in applied) if applied else ""))
        run([PYTHON, "manage.py", "migrate", "--check"], cwd=ROOT, env=env, what="迁移后仍有未应用的迁移")

        say("派生数据表与重建结果比对")
        # Tables built on first use are built as the first page read would.
        run([PYTHON, "manage.py", "shell", "-c", FIRST_READ], cwd=ROOT, env=env, what="首次读取时的构建")
        before = snapshot(opts.pg)
        run([PYTHON, "manage.py", "rebuild_derived"], cwd=ROOT, env=env, what="rebuild_derived")
        after = snapshot(opts.pg)
        problems = []
        for table in DERIVED:
            missing, extra = after[table] - before[table], before[table] - after[table]
            if missing or extra:
                sample = [f"    缺少 {row}" for row in list(missing)[:3]] + [
                    f"    多出 {row}" for row in list(extra)[:3]
                ]
                problems.append(
                    f"  {table}：升级后缺少 {sum(missing.values())} 行、多出 {sum(extra.values())} 行\n"
                    + "\n".join(sample)
                )
            else:
                say(f"  {table}：{sum(after[table].values()):,} 行，与重建结果一致")
        if problems:
            fail("升级后的派生数据与重建结果不一致：\n" + "\n".join(problems))

        say("当前代码：从升级后的数据库生成演示报告")
        with tempfile.TemporaryDirectory(prefix="pb-upgrade-report-") as tmp:
            out = run(
                [PYTHON, "manage.py", "export_report", "--org", "DEMO-ROOT", "--period", "2022H1",
                 "--out", f"{tmp}/report.docx", "--xlsx", f"{tmp}/report.xlsx"],
                cwd=ROOT, env=env, what="生成报告",
            )  # fmt: skip
            say("  " + out.strip().splitlines()[-1])
        say("升级检查通过")
    finally:
        if not opts.keep:
            psql(opts.pg, f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
