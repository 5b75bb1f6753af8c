"""The order in which areas (core.stats `area` names) appear on the dashboard and in the report's
appendix: the order of the seed report; areas not listed follow in name order."""

from __future__ import annotations

AREA_ORDER = [
    "组织与人员",
    "组织生活",
    "监督检查与问题整改",
    "主体责任与履职清单",
    "考核评价",
    "党员积分",
]


def area_key(area: str) -> tuple[int, str]:
    try:
        return (AREA_ORDER.index(area), area)
    except ValueError:
        return (len(AREA_ORDER), area)


def ordered_areas(areas) -> list[str]:
    return sorted(set(areas), key=area_key)
