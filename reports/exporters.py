"""The statistics of a report or of the dashboard as an Excel workbook: one row per figure with
its area, label, value, unit, the number of records behind it and a clickable link to them."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.exporters import ListExporter, _cell_value, new_sheet, register_exporter
from reports.areas import area_key

LINK_FONT = Font(color="0563C1", underline="single")


@register_exporter
class StatisticsExporter(ListExporter):
    code = "reports.statistics"
    label = "统计指标"
    columns = [("序号", 6), ("领域", 14), ("指标", 36), ("数值", 12), ("单位", 6), ("明细条数", 10), ("明细链接", 60)]
    audit_action = None  # audited by the view with the organization and period (reports.services.record_export)

    def __init__(self, user=None, *, base_url: str = "", title: str = "", **options):
        super().__init__(user, **options)
        self.base_url = base_url.rstrip("/")
        self.title = title

    def filename(self) -> str:
        return f"{self.title or self.label}.xlsx"

    def link(self, url: str) -> str:
        return url if url.startswith("http") or not self.base_url else self.base_url + url

    def rows(self, statistics):
        ordered = sorted(statistics, key=lambda r: (area_key(r["area"]),))
        for i, r in enumerate(ordered, start=1):
            value = r.get("value")
            yield [i, r["area"], r["label"], value, r.get("unit") or "", r.get("count"), self.link(r["url"])]

    def write(self, statistics, target) -> int:
        """As ListExporter.write, with the link column as real hyperlinks."""
        columns = self.get_columns()
        wb = Workbook(write_only=True)
        ws = new_sheet(wb, self.label, columns)
        count = 0
        for row in self.rows(statistics):
            values = [_cell_value(v) for v in row[:-1]]
            link = WriteOnlyCell(ws, value=_cell_value(row[-1]))
            if row[-1]:
                link.hyperlink = row[-1]
                link.font = LINK_FONT
            ws.append([*values, link])
            count += 1
        wb.save(target)
        self.row_count = count
        return count
