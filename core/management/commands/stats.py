"""Print every registered statistic for a period and organization, with the link to its records."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from core.periods import Period, PeriodError
from core.stats import registered_statistics


class Command(BaseCommand):
    help = "输出指定期间、党组织的全部统计指标（含明细链接）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, help="期间：2022、2022H1、2022Q3、2022-05 或 2022-01-01..2022-06-30"
        )
        parser.add_argument("--org", help="党组织编码，默认最上级党组织")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options):
        from orgs.models import Organization

        period, org, as_json = options["period"], options.get("org"), options.get("json")

        try:
            p = Period.parse(period)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        if org:
            organization = Organization.objects.filter(code=org).first()
            if organization is None:
                raise CommandError(f"未找到编码为“{org}”的党组织")
        else:
            organization = Organization.objects.filter(parent__isnull=True).order_by("sort_order", "path").first()
            if organization is None:
                raise CommandError("系统中还没有党组织，请先建立组织或运行 load_demo")
        rows = []
        for stat in registered_statistics():
            value = stat.compute(p, organization, None)
            rows.append(
                {
                    "code": stat.code,
                    "label": stat.label,
                    "area": stat.area,
                    "value": value.value,
                    "unit": stat.unit or value.unit,
                    "url": value.url,
                }
            )
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"期间：{p.label}（{p.start:%Y-%m-%d} 至 {p.end:%Y-%m-%d}）")
        self.stdout.write(f"党组织：{organization.name}（{organization.code}）")
        area = None
        for row in rows:
            if row["area"] != area:
                area = row["area"]
                self.stdout.write(f"【{area}】")
            self.stdout.write(f"  {row['label']}：{_fmt(row['value'])} {row['unit']}    {row['url']}")
        self.stdout.write(f"共 {len(rows)} 项指标")


def _fmt(value) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
