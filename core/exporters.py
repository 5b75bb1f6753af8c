"""A registry of list exporters: each app's ledger yields rows, the base class writes XLSX.

Usage::

    @register_exporter
    class PeopleExporter(ListExporter):
        code = "orgs.people"
        label = "人员台账"
        columns = [("姓名", 10), ("政治面貌", 12)]
        audit_action = "orgs.person.exported"

        def rows(self, queryset):
            for p in self.iterate(queryset):
                yield [p.name, p.get_party_status_display()]

    response = exporter_for("orgs.people")(request.user).export(queryset)

The workbook is written by openpyxl in write-only mode into a temporary file, so memory does
not grow with the number of rows (querysets are read with ``.iterator(chunk_size=2000)``), and
the file is streamed to the browser from disk. Every string cell that a spreadsheet program
could read as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return)
is prefixed with a single quote, so that a name like ``=HYPERLINK(...)`` is shown as text and
never executes (CSV/formula injection). Importers undo the prefix (see core.importers).
"""

from __future__ import annotations

import datetime
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core import audit

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# First characters that make Excel, WPS or LibreOffice treat a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A value that itself starts with a quote is prefixed too, so that un-neutralising on import
# (strip one quote before one of these) gives back exactly the exported value.
_QUOTE = "'"
MAX_CELL_CHARS = 32767  # Excel's limit

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_ALIGNMENT = Alignment(vertical="center")


def neutralise(value: Any) -> Any:
    """A cell value that can never execute as a formula; non-strings are returned unchanged."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith((*FORMULA_PREFIXES, _QUOTE)):
        value = _QUOTE + value
    return value[:MAX_CELL_CHARS]


def unneutralise(value: str) -> str:
    """Undo `neutralise` on a text read back from a workbook."""
    if len(value) > 1 and value[0] == _QUOTE and value[1] in (*FORMULA_PREFIXES, _QUOTE):
        return value[1:]
    return value


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 14


def _as_column(spec: Column | tuple[str, float] | str) -> Column:
    if isinstance(spec, Column):
        return spec
    if isinstance(spec, str):
        return Column(spec)
    return Column(*spec)


_TOKEN_RE = re.compile(r"[a-z0-9]{6,32}")


class ListExporter:
    """Base of every ledger export. Subclasses set `code`, `label`, `columns`, implement `rows`."""

    code: str = ""
    label: str = ""
    columns: Sequence[Column | tuple[str, float] | str] = ()
    sheet_title: str = ""
    # Registered audit action written once per export (None: exports of this ledger are not audited).
    audit_action: str | None = None
    chunk_size = 2000

    def __init__(self, user=None, **options):
        self.user = user
        self.options = options
        self.row_count = 0

    # ------------------------------------------------------------------ to override

    def rows(self, queryset: QuerySet) -> Iterable[Sequence[Any]]:
        """Yield one list of plain values (str, int, float, date, None) per row."""
        raise NotImplementedError

    def audit_changes(self) -> dict[str, list[Any]]:
        """What the audit entry records besides the row count ({"field": [old, new]})."""
        return {}

    def audit_organization(self):
        return None

    def filename(self) -> str:
        return f"{self.label}_{timezone.localdate():%Y%m%d}.xlsx"

    # ------------------------------------------------------------------ helpers

    def iterate(self, queryset: QuerySet) -> Iterator[Any]:
        """Read a queryset in chunks so that memory does not grow with the export size."""
        return queryset.iterator(chunk_size=self.chunk_size)

    def get_columns(self) -> list[Column]:
        return [_as_column(c) for c in self.columns]

    # ------------------------------------------------------------------ writing

    def write(self, queryset: QuerySet, target) -> int:
        """Write the workbook to `target` (a path or a binary file object); returns the row count."""
        columns = self.get_columns()
        wb = Workbook(write_only=True)
        ws = new_sheet(wb, (self.sheet_title or self.label or "Sheet1")[:31], columns)
        count = 0
        width = len(columns)
        try:
            for row in self.rows(queryset):
                values = [_cell_value(v) for v in row]
                if len(values) != width:
                    raise ValueError(f"{type(self).__name__}.rows() yielded {len(values)} values for {width} columns")
                ws.append(values)
                count += 1
        except BaseException:
            _discard_sheet(ws)
            raise
        wb.save(target)
        self.row_count = count
        return count

    def export(self, queryset: QuerySet, download_token: str = "") -> FileResponse:
        """Write the workbook to a temporary file, audit the export, stream the file.

        `download_token` (from the page's `dl` parameter) comes back in a short-lived cookie with
        the row count, so the page can show that the file is ready and what it holds."""
        fp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
        try:
            count = self.write(queryset, fp)
            fp.seek(0)
            self.record_audit(count)
        except BaseException:
            fp.close()
            raise
        response = FileResponse(fp, as_attachment=True, filename=self.filename(), content_type=XLSX_CONTENT_TYPE)
        if _TOKEN_RE.fullmatch(download_token or ""):
            response.set_cookie("pb_download", f"{download_token}-{count}", max_age=120, samesite="Lax")
        return response

    def record_audit(self, count: int) -> None:
        if not self.audit_action:
            return
        changes = {"rows": [None, count], **self.audit_changes()}
        with transaction.atomic():
            audit.record(
                actor=self.user,
                action=self.audit_action,
                organization=self.audit_organization(),
                object_repr=f"{self.label}（{count}条）",
                changes=changes,
            )


EXCEL_MAX_ROWS = 1_048_576  # including the header row
TRUNCATED_NOTE = (
    "（已达到 Excel 单个工作表的行数上限，仅导出前 {n} 行。请缩小筛选范围（如按期间、党组织）后分批导出。）"
)


class WorkbookExporter(ListExporter):
    """A ledger export whose `write()` builds its own (write-only) workbook, possibly of several
    sheets, with `append_sheet`; audited against the user's home organization."""

    def __init__(self, user=None, **options):
        super().__init__(user, **options)
        self.truncated = False

    def audit_organization(self):
        from core.scope import Scope

        return Scope.of(self.user).home_organization if self.user is not None else None

    def append_sheet(self, wb: Workbook, title: str, columns: list[Column], rows: Iterable[Sequence[Any]]) -> int:
        """Append one write-only sheet; returns its data row count (stops at Excel's limit with a
        note and sets `truncated`)."""
        ws = new_sheet(wb, title, columns)
        count = 0
        try:
            for row in rows:
                if count >= EXCEL_MAX_ROWS - 2:
                    ws.append([TRUNCATED_NOTE.format(n=count)])
                    self.truncated = True
                    break
                ws.append([_cell_value(v) for v in row])
                count += 1
        except BaseException:
            _discard_sheet(ws)
            raise
        return count


def new_sheet(wb: Workbook, title: str, columns: Sequence[Column]):
    """A write-only sheet with the column widths, a frozen, styled header row (the one look of
    every exported sheet)."""
    ws = wb.create_sheet(title=title)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=neutralise(column.header))
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
        header.append(cell)
    ws.append(header)
    return ws


def _discard_sheet(ws) -> None:
    """Close a half-written write-only sheet and remove its temporary file (best effort)."""
    try:
        ws.close()
        ws._writer.cleanup()
    except Exception:  # noqa: S110 - cleaning up after the real error, which is re-raised
        pass


def _cell_value(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return neutralise(value)


# ---------------------------------------------------------------------- registry

_EXPORTERS: dict[str, type[ListExporter]] = {}


def register_exporter(cls: type[ListExporter]) -> type[ListExporter]:
    if not cls.code:
        raise ValueError(f"{cls.__name__} has no code")
    existing = _EXPORTERS.get(cls.code)
    if existing is not None and existing.__qualname__ != cls.__qualname__:
        raise ValueError(f"Exporter code {cls.code!r} is already used by {existing.__name__}")
    _EXPORTERS[cls.code] = cls
    return cls


def exporter_for(code: str) -> type[ListExporter]:
    try:
        return _EXPORTERS[code]
    except KeyError:
        raise LookupError(f"No exporter registered for {code!r}") from None


def registered_exporters() -> dict[str, type[ListExporter]]:
    return dict(sorted(_EXPORTERS.items()))
