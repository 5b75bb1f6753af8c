"""Pre-filled inputs of a star rating (预填数据): figures other areas already compute.

The list of inputs is data — the rule `star.inputs` (snapshotted into each round's scheme): each
entry names a registered statistic (core.stats) with a label and the dimension it informs. An
area added later (training, activities…) feeds the rating by registering its statistic and
adding a line to that rule; nothing changes here. A statistic that is not registered (its area
is not installed yet) is shown as "暂无数据（未启用）" instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.periods import Period
from core.stats import get_statistic

NOT_ENABLED = "暂无数据（未启用）"


def compute_inputs(scheme: Mapping, year: int, organization) -> list[dict]:
    """One row per configured input for `organization` in `year`: value, unit and the link to
    the records behind it, computed as the owning area computes it (no user scope: the figure
    is the branch's whole record)."""
    period = Period.parse(str(year))
    rows: list[dict] = []
    for spec in scheme.get("inputs", []):
        code = spec.get("code", "")
        row = {
            "code": code,
            "label": spec.get("label") or code,
            "dimension": spec.get("dimension", ""),
            "value": None,
            "unit": "",
            "url": "",
            "available": False,
            "source": "",
        }
        try:
            stat = get_statistic(code)
        except KeyError:
            row["note"] = NOT_ENABLED
            rows.append(row)
            continue
        row["source"] = f"{stat.area}：{stat.label}"
        value = stat.compute(period, organization, None)
        row.update(
            {
                "value": value.value,
                "unit": stat.unit or value.unit,
                "url": value.url,
                "available": True,
            }
        )
        rows.append(row)
    return rows


def display_value(row: Mapping) -> str:
    if not row.get("available"):
        return row.get("note") or NOT_ENABLED
    value = row.get("value")
    if isinstance(value, float):
        text = f"{value:,.1f}".rstrip("0").rstrip(".") if not value.is_integer() else f"{int(value):,}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    unit = row.get("unit") or ""
    return f"{text}{unit}" if unit in ("%",) else f"{text} {unit}".strip()
