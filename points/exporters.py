"""Excel exports of the rankings: members (党员积分排名) and branches/departments (平均积分)."""

from __future__ import annotations

from core import audit
from core.exporters import ListExporter, register_exporter
from orgs.models import PartyStatus

audit.register_action("points.ranking.exported", "导出党员积分排名")
audit.register_action("points.groups.exported", "导出党组织/科室积分排名")


@register_exporter
class RankingExporter(ListExporter):
    code = "points.ranking"
    label = "党员积分排名"
    columns = [
        ("排名", 7),
        ("姓名", 10),
        ("所属党组织", 26),
        ("科室", 14),
        ("政治面貌", 10),
        ("基础分", 8),
        ("加减分合计", 11),
        ("积分", 8),
    ]
    audit_action = "points.ranking.exported"

    def filename(self) -> str:
        window = self.options.get("window")
        return f"党员积分排名_{window.code if window else ''}.xlsx"

    def audit_changes(self):
        window = self.options.get("window")
        return {"period": [None, window.label]} if window else {}

    def iterate(self, rows):
        return iter(rows)

    def rows(self, queryset):
        base = self.options["base"]
        statuses = dict(PartyStatus.choices)
        for r in self.iterate(queryset):
            yield [
                r["rank"],
                r["name"],
                r["organization__name"],
                r["department__name"] or "",
                statuses.get(r["party_status"], r["party_status"]),
                base,
                r["points_sum"],
                r["score"],
            ]


@register_exporter
class GroupRankingExporter(ListExporter):
    code = "points.groups"
    label = "积分排名（平均积分）"
    columns = [("排名", 7), ("名称", 28), ("参评党员数", 12), ("平均积分", 10)]
    audit_action = "points.groups.exported"

    def filename(self) -> str:
        by = "科室" if self.options.get("by") == "department" else "党组织"
        window = self.options.get("window")
        return f"{by}积分排名_{window.code if window else ''}.xlsx"

    def iterate(self, rows):
        return iter(rows)

    def rows(self, queryset):
        for r in self.iterate(queryset):
            yield [r["rank"], r["name"], r["members"], r["average"]]
