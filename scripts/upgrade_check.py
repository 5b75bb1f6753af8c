"""Upgrade check: a database made by the previous release, migrated by this code.

    python scripts/upgrade_check.py [--from <commit>] [--pg postgres://postgres@127.0.0.1:5432]

1. The previous release (the commit in .ci/upgrade-base, or --from) is unpacked from git into a
   temporary folder; with its own code it migrates a new PostgreSQL database and loads the demo
   bureau into it, as a site running that release would have it.
2. This code migrates that database (`migrate`, then `migrate --check`: nothing left unapplied).
3. The derived tables the database holds (stored obligations, rectification summary, 主体责任
   coverage, points and the ranking copies) must equal what `rebuild_derived` produces from the
   records (`rebuild_derived --check` compares their content before and after).
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
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB = "pb_upgrade_check"

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


def psql(pg: str, sql: str) -> str:
    proc = subprocess.run(  # noqa: S603
        ["psql", f"{pg}/postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        fail(f"psql：{proc.stderr.strip()}")
    return proc.stdout


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

        say("派生数据表与重建结果比对（rebuild_derived --check）")
        out = run([PYTHON, "manage.py", "rebuild_derived", "--check"], cwd=ROOT, env=env, what="派生数据核对")
        for line in out.splitlines():
            if "核对" in line or "不核对" in line:
                say("  " + line.strip())

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
