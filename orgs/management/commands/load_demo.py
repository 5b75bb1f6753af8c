"""`python manage.py load_demo [--if-empty]`: the demo bureau of the seed report (see orgs/demo.py)."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from orgs import demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(str(c), w) for c, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(str(c), w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "加载演示数据：海滨市文化和旅游局机关党委（仅限空数据库）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="数据库已有数据时静默跳过（供 make run 使用），不报错"
        )

    def handle(self, *args, if_empty: bool = False, **options):
        state = demo.database_state()
        if if_empty and state != "empty":
            self.stdout.write("数据库已有数据，跳过演示数据")
            if state == "demo":
                self._print_accounts()  # `make run` again: still say how to log in
            return
        if not getattr(settings, "DEMO_ALLOWED", False):
            raise CommandError(
                "当前环境不允许加载演示数据（DEMO_ALLOWED 为假，生产环境默认关闭）。"
                "如确需加载，请设置环境变量 DJANGO_DEMO_ALLOWED=1 后重试。"
            )
        if state == "demo":
            self.stdout.write(f"演示数据已存在（根组织编码 {demo.ROOT_CODE}），无需重复加载。")
            self._print_accounts()
            return
        if state == "foreign":
            raise CommandError(
                "数据库中已有不是由 load_demo 创建的数据（党组织、人员、单位、科室或账号），"
                "为避免混入演示账号和演示人员，已拒绝加载。请使用空数据库，"
                "或在已有数据上运行 load_demo --if-empty（将直接跳过）。"
            )
        self.stdout.write(f"开始加载演示数据：{demo.BUREAU}机关党委")
        result = demo.build_demo(log=lambda m: self.stdout.write(f"  · {m}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建 {len(result['orgs'])} 个党组织、{len(result['units'])} 个单位、"
                f"{len(result['departments'])} 个科室、{len(result['all'])} 名人员、{len(result['users'])} 个账号。"
            )
        )
        self._print_accounts()

    def _print_accounts(self):
        rows = [(u, role, org, person, demo.PASSWORD) for u, role, org, person in demo.account_rows()]
        self.stdout.write("")
        self.stdout.write("演示账号（登录后无需修改密码）：")
        self.stdout.write(format_table(("用户名", "角色", "授权党组织", "对应人员", "密码"), rows))
