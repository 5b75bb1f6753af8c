"""Excel import with a downloadable template: validate every row, then write all rows or none.

A concrete importer declares its `fields` (one per template column) and implements three hooks:

- ``prepare(rows, lock)``: load everything the rows refer to with a constant number of queries
  (organizations by code, existing records by key…);
- ``plan_row(row_number, values)``: check one row (values already converted: dates, 是/否, choices)
  and return a `RowPlan` ("create" / "update" / "unchanged"), or raise `RowInvalid`;
- ``write(plans, result)``: perform the writes (bulk where possible) and the audit entry.

`Importer.preview(file)` checks the whole file without writing; `Importer.run(file)` checks it
again inside one transaction and writes only if no row has an error. Every problem is reported
with its Excel row number and a Chinese message; file-level problems (not an .xlsx, empty, wrong
sheet or headers) are reported as `ImportResult.file_error`.
"""

from __future__ import annotations

import datetime
import io
import logging
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from core import audit
from core.exporters import XLSX_CONTENT_TYPE, neutralise, unneutralise

logger = logging.getLogger(__name__)

INSTRUCTIONS_TITLE = "填写说明"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

NOT_XLSX = (
    "无法读取该文件：请上传 Excel 2007 及以上版本的 .xlsx 文件（如为 .xls 或 WPS 格式，请先在 Excel 中“另存为”.xlsx）。"
)
EMPTY_FILE = "上传的文件是空的（0 字节），请选择填写好的 Excel 文件。"

TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "x", "无"}

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (not xlsx, empty, wrong sheet or headers)."""


class FieldError(Exception):
    """One cell is invalid; the message does not repeat the column name."""


class RowInvalid(Exception):
    """One row is invalid: a list of (column header or "", message)."""

    def __init__(self, errors: Sequence[tuple[str, str]] | str, column: str = ""):
        if isinstance(errors, str):
            errors = [(column, errors)]
        self.errors = list(errors)
        super().__init__("；".join(m for _, m in self.errors))


@dataclass(frozen=True)
class ImportField:
    """One template column."""

    key: str
    header: str
    kind: str = "text"  # text | date | bool | int | choice
    required: bool = False
    choices: Sequence[tuple[str, str]] = ()  # (stored value, label shown in Excel)
    help: str = ""
    example: str = ""
    width: float = 14
    text_only: bool = False  # refuse numeric cells (ID numbers lose digits when Excel stores them as numbers)
    strip: bool = True
    past_only: bool = False  # dates must not be after today
    max_length: int | None = None

    @property
    def allowed(self) -> str:
        if self.kind == "choice":
            return "、".join(label for _, label in self.choices)
        if self.kind == "bool":
            return "是、否（不填视为否）"
        if self.kind == "date":
            return "日期，如 2022-06-30"
        if self.kind == "int":
            return "整数"
        return ""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        return f"{where}{'【' + self.column + '】' if self.column else ''}：{self.message}"


@dataclass
class RowPlan:
    row: int
    action: str  # "create" | "update" | "unchanged"
    label: str
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # header -> (old, new) for display
    obj: Any = None
    data: dict[str, Any] = field(default_factory=dict)

    ACTION_LABELS = {"create": "新增", "update": "更新", "unchanged": "无变化"}

    @property
    def action_label(self) -> str:
        return self.ACTION_LABELS[self.action]


@dataclass
class ImportResult:
    total: int = 0
    plans: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    file_error: str = ""
    committed: bool = False

    def _count(self, action: str) -> int:
        return sum(1 for p in self.plans if p.action == action)

    @property
    def created(self) -> int:
        return self._count("create")

    @property
    def updated(self) -> int:
        return self._count("update")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors

    @property
    def has_changes(self) -> bool:
        return self.ok and (self.created + self.updated) > 0

    def changed_plans(self) -> list[RowPlan]:
        return [p for p in self.plans if p.action != "unchanged"]

    def messages(self) -> list[str]:
        if self.file_error:
            return [self.file_error]
        return [str(e) for e in self.errors]


def _norm_header(value: Any) -> str:
    text = re.sub(r"\s+", "", str(value or ""))
    for suffix in ("（必填）", "(必填)", "*", "＊"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(raw: Any) -> datetime.date | None:
    """A date from an Excel cell: a real date, 2022-06-30, 2022/6/30, 2022.6.30, 2022年6月30日, 20220630."""
    if _is_blank(raw):
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if float(raw).is_integer() and 10000101 <= raw <= 99991231:
            return parse_date(str(int(raw)))
        if 1 <= raw < 2958466:  # an Excel serial number whose cell lost its date format
            return from_excel(raw).date()
        raise FieldError(f"“{raw}”不是有效的日期，请按 2022-06-30 的格式填写")
    text = unneutralise(str(raw)).strip()
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not match:
        raise FieldError(f"“{text}”不是有效的日期，请按 2022-06-30 的格式填写")
    year, month, day = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise FieldError(f"“{text}”不是有效日期（{year}年{month}月没有{day}日）") from None


def convert_value(spec: ImportField, raw: Any) -> Any:
    """One cell converted to the field's kind; raises FieldError with a Chinese message."""
    if spec.kind == "date":
        value = parse_date(raw)
        if value is not None:
            if value.year < 1900:
                raise FieldError(f"{value.isoformat()}不合理，请核对")
            today = timezone.localdate()
            if spec.past_only and value > today:
                raise FieldError(f"{value.isoformat()}晚于今天（{today.isoformat()}），请核对")
        return value
    if spec.kind == "bool":
        if _is_blank(raw):
            return False
        if isinstance(raw, bool):
            return raw
        word = unneutralise(str(raw)).strip().lower()
        if isinstance(raw, (int, float)):
            word = str(int(raw)) if float(raw).is_integer() else word
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise FieldError(f"“{raw}”无法识别，请填写“是”或“否”")
    if spec.kind == "int":
        if _is_blank(raw):
            return None
        if isinstance(raw, bool):
            raise FieldError("应填写整数")
        if isinstance(raw, (int, float)) and float(raw).is_integer():
            return int(raw)
        text = str(raw).strip()
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        raise FieldError(f"“{raw}”不是整数")
    text = _text(spec, raw)
    if spec.kind == "choice":
        if not text:
            return ""
        for value, label in spec.choices:
            if text in (label, value):
                return value
        raise FieldError(f"“{text}”不在可选值中，可选：{spec.allowed}")
    return text


def convert_fields(
    specs: Sequence[ImportField], values: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Convert one row's raw cells; returns (converted values, [(header, message)…])."""
    converted: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for spec in specs:
        try:
            value = convert_value(spec, values.get(spec.key))
        except FieldError as exc:
            errors.append((spec.header, str(exc)))
            continue
        if spec.required and value in (None, ""):
            errors.append((spec.header, "必填项，不能为空"))
            continue
        converted[spec.key] = value
    return converted, errors


def key_text(value: Any) -> str:
    """A key cell (会议编号, 检查编号…) as text (Excel stores 1 as 1.0 in some files)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unneutralise(str(value)).strip()


def _text(spec: ImportField, raw: Any) -> str:
    if raw is None:
        text = ""
    elif isinstance(raw, str):
        text = unneutralise(raw)
    elif isinstance(raw, bool):
        text = "是" if raw else "否"
    elif isinstance(raw, (int, float)):
        if spec.text_only:
            raise FieldError("被 Excel 存成了数字，末尾几位可能已经丢失。请把该列设置为“文本”格式，重新填写后再导入")
        text = str(int(raw)) if float(raw).is_integer() else str(raw)
    elif isinstance(raw, datetime.datetime):
        text = raw.date().isoformat() if raw.time() == datetime.time(0) else raw.isoformat(" ")
    elif isinstance(raw, datetime.date):
        text = raw.isoformat()
    else:
        text = str(raw)
    if spec.strip:
        text = text.strip()
    if spec.max_length and len(text) > spec.max_length:
        raise FieldError(f"不能超过 {spec.max_length} 个字（现为 {len(text)} 个字）")
    return text


def _source_size(source) -> int | None:
    size = getattr(source, "size", None)
    if size is not None:
        return size
    if isinstance(source, (str, os.PathLike)):
        return os.path.getsize(source)
    try:
        pos = source.tell()
        source.seek(0, os.SEEK_END)
        size = source.tell()
        source.seek(pos)
        return size
    except (AttributeError, OSError):
        return None


class Importer:
    """Base of every Excel import. See the module docstring."""

    code: str = ""
    label: str = ""  # what is imported, e.g. "人员"
    sheet_title: str = ""  # the data sheet of the template
    noun: str = "条"  # 人 / 个, for "将新增 3 人"
    fields: Sequence[ImportField] = ()
    notes: Sequence[str] = ()  # general instructions shown on the template's 说明 sheet and the import page
    max_rows = 50000
    max_bytes = MAX_UPLOAD_BYTES

    def __init__(self, user, *, filename: str = ""):
        self.user = user
        self.filename = filename

    # ------------------------------------------------------------------ hooks

    def prepare(self, rows: list[tuple[int, dict[str, Any]]], *, lock: bool) -> None:
        """Bulk-load what the rows refer to. `lock`: inside the writing transaction (select_for_update)."""

    def plan_row(self, row: int, values: dict[str, Any]) -> RowPlan:
        raise NotImplementedError

    def write(self, plans: list[RowPlan], result: ImportResult) -> None:
        raise NotImplementedError

    audit_action: str = ""  # e.g. "orgs.person.imported"

    def record_audit(self, result: ImportResult, organization=None) -> None:
        """One audit entry for the whole import, with its counts (inside the writing transaction)."""
        audit.record(
            actor=self.user,
            action=self.audit_action,
            organization=organization,
            object_repr=f"导入{self.label}：{self.filename or 'Excel 文件'}",
            changes={
                "rows": [None, result.total],
                "created": [None, result.created],
                "updated": [None, result.updated],
                "unchanged": [None, result.unchanged],
                "file": [None, self.filename],
            },
        )

    def reference_sheets(self) -> list[tuple[str, list[str], Iterable[Sequence[Any]]]]:
        """Extra template sheets listing allowed values, e.g. the organizations one may import into."""
        return []

    # ------------------------------------------------------------------ template

    def template_filename(self) -> str:
        return f"{self.label}导入模板.xlsx"

    def write_template(self, target) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = self.sheet_title or self.label
        required_font = Font(bold=True, color="C8161D")
        fill = PatternFill("solid", fgColor="F2F2F2")
        for index, spec in enumerate(self.fields, start=1):
            letter = get_column_letter(index)
            cell = ws.cell(row=1, column=index, value=spec.header)
            cell.font = required_font if spec.required else Font(bold=True)
            cell.fill = fill
            cell.alignment = Alignment(vertical="center")
            cell.comment = self._header_comment(spec)
            dim = ws.column_dimensions[letter]
            dim.width = spec.width
            if spec.kind == "date":
                dim.number_format = "yyyy-mm-dd"
            elif spec.kind in ("text", "choice"):
                dim.number_format = "@"
            if spec.kind in ("choice", "bool"):
                options = [label for _, label in spec.choices] if spec.kind == "choice" else ["是", "否"]
                self._add_dropdown(ws, letter, options)
        ws.freeze_panes = "A2"

        info = self._instructions_sheet(wb)
        info.append([])
        self._append_field_table(info, self.fields, fill)
        self._add_reference_sheets(wb, fill)
        wb.active = 0
        wb.save(target)

    @staticmethod
    def _header_comment(spec: ImportField) -> Comment:
        """The note on a data sheet's header cell: required or not, the help and the allowed values."""
        tip = "（必填）" if spec.required else ""
        text = "；".join(t for t in (spec.help, f"可选值：{spec.allowed}" if spec.allowed else "") if t)
        return Comment(f"{spec.header}{tip}\n{text}".strip(), "机关党建工作平台", width=260, height=120)

    def _add_dropdown(self, ws, letter: str, options: Sequence[str]) -> None:
        """A drop-down list of `options` on column `letter` for every data row of the template."""
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(options) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="输入有误",
            error=f"请从下拉列表中选择：{'、'.join(options)}",
        )
        dv.add(f"{letter}2:{letter}{self.max_rows + 1}")
        ws.add_data_validation(dv)

    def _instructions_sheet(self, wb):
        """The 填写说明 sheet with its title and the general notes (field tables are appended after)."""
        info = wb.create_sheet(INSTRUCTIONS_TITLE)
        for letter, width in zip("ABCDE", (16, 10, 60, 36, 24), strict=True):
            info.column_dimensions[letter].width = width
        info.append([f"{self.label}导入模板填写说明"])
        info["A1"].font = Font(bold=True, size=14)
        for line in self.general_notes():
            info.append([line])
        return info

    @staticmethod
    def _append_field_table(info, specs: Sequence[ImportField], fill) -> None:
        """Append a header row and one row per column spec (name, required, help, allowed, example)."""
        info.append(["列名", "是否必填", "填写要求", "可选值", "示例"])
        for cell in info[info.max_row]:
            cell.font = Font(bold=True)
            cell.fill = fill
        for spec in specs:
            info.append(
                [spec.header, "必填" if spec.required else "", spec.help, spec.allowed, neutralise(spec.example)]
            )
            info.cell(row=info.max_row, column=3).alignment = Alignment(wrap_text=True, vertical="top")
            info.cell(row=info.max_row, column=5).font = Font(italic=True, color="808080")

    def _add_reference_sheets(self, wb, fill) -> None:
        for title, headers, rows in self.reference_sheets():
            ref = wb.create_sheet(title[:31])
            ref.append(headers)
            for cell in ref[1]:
                cell.font = Font(bold=True)
                cell.fill = fill
            for i in range(1, len(headers) + 1):
                ref.column_dimensions[get_column_letter(i)].width = 24
            for row in rows:
                ref.append([neutralise(v) for v in row])
            ref.freeze_panes = "A2"

    def general_notes(self) -> list[str]:
        return [
            f"1. 在“{self.sheet_title or self.label}”工作表第 2 行起逐行填写，每行一条；请勿修改、删除或调换第 1 行表头。",
            "2. 红色表头为必填列；日期请填写为 2022-06-30 格式；“是/否”列不填视为“否”。",
            "3. 导入前系统会逐行校验：只要有一行有误，就不会导入任何数据，并列出每个错误所在的行号和原因，改正后重新上传即可。",
            *self.notes,
        ]

    def template_response(self) -> FileResponse:
        buffer = io.BytesIO()
        self.write_template(buffer)
        buffer.seek(0)
        return FileResponse(
            buffer, as_attachment=True, filename=self.template_filename(), content_type=XLSX_CONTENT_TYPE
        )

    # ------------------------------------------------------------------ reading

    def read(self, source) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
        """(rows as (Excel row number, {field key: raw cell value}), warnings). Raises ImportFileError."""
        size = _source_size(source)
        if size == 0:
            raise ImportFileError(EMPTY_FILE)
        if size is not None and size > self.max_bytes:
            raise ImportFileError(f"文件过大（超过 {self.max_bytes // (1024 * 1024)} MB），请分批导入。")
        if hasattr(source, "seek"):
            source.seek(0)
        try:
            wb = load_workbook(source, read_only=True, data_only=True)
        except Exception:  # zip, XML and format errors all mean the same thing to the user
            raise ImportFileError(NOT_XLSX) from None
        try:
            return self._read_workbook(wb)
        except ImportFileError:
            raise
        except Exception:
            logger.exception("Unreadable workbook")
            raise ImportFileError(NOT_XLSX) from None
        finally:
            wb.close()

    def _read_workbook(self, wb) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
        expected_title = self.sheet_title or self.label
        if expected_title in wb.sheetnames:
            ws, named = wb[expected_title], True
        else:
            candidates = [n for n in wb.sheetnames if n != INSTRUCTIONS_TITLE] or wb.sheetnames
            ws, named = wb[candidates[0]], False
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        expected = "、".join(f.header for f in self.fields)
        if header is None or all(_is_blank(v) for v in header):
            if not named:
                raise ImportFileError(
                    f"文件中没有“{expected_title}”工作表，第一个工作表“{ws.title}”也是空的。请下载{self.label}导入模板，按模板填写后再上传。"
                )
            raise ImportFileError(f"工作表“{ws.title}”是空的：第 1 行应为表头（{expected}），第 2 行起填写数据。")
        positions: dict[str, int] = {}
        duplicates = []
        for index, value in enumerate(header):
            name = _norm_header(value)
            if not name:
                continue
            if name in positions:
                duplicates.append(name)
            else:
                positions[name] = index
        known = {f.header for f in self.fields}
        missing = [f.header for f in self.fields if f.header not in positions]
        if missing:
            where = f"工作表“{ws.title}”" if named else f"文件中没有“{expected_title}”工作表；第一个工作表“{ws.title}”"
            raise ImportFileError(
                f"{where}的表头与{self.label}导入模板不一致，缺少列：{'、'.join(missing)}。"
                f"模板第 1 行的表头应为：{expected}。请下载最新模板，按模板填写后再上传。"
            )
        dup_known = sorted(set(duplicates) & known)
        if dup_known:
            raise ImportFileError(f"表头中“{'、'.join(dup_known)}”出现了不止一次，请删除重复的列后再上传。")
        warnings = []
        extra = [h for h in positions if h not in known]
        if extra:
            warnings.append(f"已忽略模板以外的列：{'、'.join(extra)}")
        index_of = [(f.key, positions[f.header]) for f in self.fields]
        data: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(_is_blank(v) for v in values):
                continue
            if len(data) >= self.max_rows:
                raise ImportFileError(f"单次最多导入 {self.max_rows} 行，请拆分为多个文件分批导入。")
            data.append((number, {key: values[i] if i < len(values) else None for key, i in index_of}))
        if not data:
            raise ImportFileError(f"工作表“{ws.title}”中没有需要导入的数据：请从第 2 行起填写，每行一条{self.label}。")
        return data, warnings

    def convert_row(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return convert_fields(self.fields, values)

    # ------------------------------------------------------------------ running

    def preview(self, source) -> ImportResult:
        """Check every row; write nothing."""
        return self._process(source, commit=False)

    def run(self, source) -> ImportResult:
        """Check every row again and, if all are valid, write them in one transaction."""
        return self._process(source, commit=True)

    def _process(self, source, *, commit: bool) -> ImportResult:
        result = ImportResult()
        try:
            rows, result.warnings = self.read(source)
        except ImportFileError as exc:
            result.file_error = str(exc)
            return result
        result.total = len(rows)
        if not commit:
            self._check(rows, result, lock=False)
            return result
        try:
            with transaction.atomic():
                self._check(rows, result, lock=True)
                if result.ok and (result.created or result.updated):
                    self.write(result.plans, result)
                    result.committed = not result.errors
                if not result.ok:
                    transaction.set_rollback(True)
        except DatabaseError:
            logger.exception("Import %s failed while writing", self.code)
            result.committed = False
            result.file_error = (
                "保存时发生数据冲突（可能有其他用户同时修改了相同的数据），未导入任何数据。请重新上传并校验。"
            )
        if result.errors:
            result.errors.sort(key=lambda e: e.row)
        return result

    def _check(self, rows: list[tuple[int, dict[str, Any]]], result: ImportResult, *, lock: bool) -> None:
        self.prepare(rows, lock=lock)
        for number, raw in rows:
            values, errors = self.convert_row(raw)
            if errors:
                result.errors.extend(RowError(number, column, message) for column, message in errors)
                continue
            try:
                plan = self.plan_row(number, values)
            except RowInvalid as exc:
                result.errors.extend(RowError(number, column, message) for column, message in exc.errors)
                continue
            result.plans.append(plan)


# ---------------------------------------------------------------------- two sheets


@dataclass
class SheetRowError(RowError):
    """A row error that names its sheet."""

    sheet: str = ""

    def __str__(self) -> str:
        where = f"“{self.sheet}”工作表第 {self.row} 行" if self.row else "文件"
        return f"{where}{'【' + self.column + '】' if self.column else ''}：{self.message}"


class TwoSheetImporter(Importer):
    """A main sheet (`sheet_title`, `fields`: one row per record, keyed by a number chosen in the
    file, column `key_header`) and a child sheet (`child_sheet`, `child_sheet_fields()`: rows
    linked to their record by that number).

    Reading gives the main rows to the usual check; the child rows are converted first and grouped
    in `self.children` {number: [(row, values)…]} (a number whose rows have errors maps to []), so
    `prepare`/`plan_row` can use them. Child rows naming a number absent from the main sheet are
    errors; subclasses record the numbers they saw in `self.seen_numbers`. Every error names its
    sheet (`SheetRowError`), main sheet first.
    """

    child_sheet = ""
    key_header = ""
    main_export_only: Sequence[str] = ()  # export-only columns tolerated on each sheet
    child_export_only: Sequence[str] = ()
    main_row_hint = ""  # appended to "请从第 2 行起填写", e.g. "，每行一次会议"
    reject_duplicate_headers = True

    def __init__(self, user, *, filename: str = ""):
        super().__init__(user, filename=filename)
        self.child_raw: list[tuple[int, dict[str, Any]]] = []

    def child_sheet_fields(self) -> Sequence[ImportField]:
        raise NotImplementedError

    # -- template

    def write_template(self, target) -> None:
        wb = Workbook()
        fill = PatternFill("solid", fgColor="F2F2F2")
        first = wb.active
        first.title = self.sheet_title
        self._data_sheet(first, self.fields, fill)
        self._data_sheet(wb.create_sheet(self.child_sheet), self.child_sheet_fields(), fill)
        info = self._instructions_sheet(wb)
        for title, specs in ((self.sheet_title, self.fields), (self.child_sheet, self.child_sheet_fields())):
            info.append([])
            info.append([f"“{title}”工作表"])
            info.cell(row=info.max_row, column=1).font = Font(bold=True)
            self._append_field_table(info, specs, fill)
        self._add_reference_sheets(wb, fill)
        wb.active = 0
        wb.save(target)

    def _data_sheet(self, ws, specs: Sequence[ImportField], fill) -> None:
        for index, spec in enumerate(specs, start=1):
            letter = get_column_letter(index)
            cell = ws.cell(row=1, column=index, value=spec.header)
            cell.font = Font(bold=True, color="C8161D") if spec.required else Font(bold=True)
            cell.fill = fill
            cell.comment = self._header_comment(spec)
            ws.column_dimensions[letter].width = spec.width
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd" if spec.kind == "date" else "@"
            if spec.kind == "choice":
                self._add_dropdown(ws, letter, [label for _, label in spec.choices])
        ws.freeze_panes = "A2"

    # -- reading

    def _read_workbook(self, wb):
        for title in (self.sheet_title, self.child_sheet):
            if title not in wb.sheetnames:
                raise ImportFileError(
                    f"文件中没有“{title}”工作表。{self.label}导入模板有“{self.sheet_title}”和“{self.child_sheet}”"
                    "两个工作表，请下载模板，按模板填写后再上传。"
                )
        main, warnings = self._read_sheet(wb[self.sheet_title], self.fields, self.main_export_only)
        if not main:
            raise ImportFileError(
                f"“{self.sheet_title}”工作表中没有需要导入的数据：请从第 2 行起填写{self.main_row_hint}。"
            )
        self.child_raw, more = self._read_sheet(wb[self.child_sheet], self.child_sheet_fields(), self.child_export_only)
        return main, warnings + more

    def _read_sheet(self, ws, specs: Sequence[ImportField], export_only: Sequence[str]):
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        expected = "、".join(f.header for f in specs)
        if header is None or all(_is_blank(v) for v in header):
            raise ImportFileError(f"“{ws.title}”工作表是空的：第 1 行应为表头（{expected}），第 2 行起填写数据。")
        positions: dict[str, int] = {}
        duplicates = set()
        for index, value in enumerate(header):
            name = _norm_header(value)
            if name in positions:
                duplicates.add(name)
            elif name:
                positions[name] = index
        known = {f.header for f in specs}
        missing = [f.header for f in specs if f.header not in positions]
        if missing:
            raise ImportFileError(
                f"“{ws.title}”工作表的表头与{self.label}导入模板不一致，缺少列：{'、'.join(missing)}。"
                f"第 1 行的表头应为：{expected}。请下载最新模板，按模板填写后再上传。"
            )
        if self.reject_duplicate_headers and duplicates & known:
            raise ImportFileError(
                f"“{ws.title}”工作表的表头中“{'、'.join(sorted(duplicates & known))}”出现了不止一次，"
                "请删除重复的列后再上传。"
            )
        extra = [h for h in positions if h not in known and h not in export_only]
        warnings = [f"“{ws.title}”工作表：已忽略模板以外的列：{'、'.join(extra)}"] if extra else []
        index_of = [(f.key, positions[f.header]) for f in specs]
        data = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(_is_blank(v) for v in values):
                continue
            if len(data) >= self.max_rows:
                raise ImportFileError(f"单次最多导入 {self.max_rows} 行，请拆分为多个文件分批导入。")
            data.append((number, {key: values[i] if i < len(values) else None for key, i in index_of}))
        return data, warnings

    # -- checking

    def claim_number(self, number: str, row: int) -> None:
        """Record the main row holding `number` (call from plan_row); a second row is an error."""
        if number in self.seen_numbers:
            raise RowInvalid(f"与第 {self.seen_numbers[number]} 行的{self.key_header}“{number}”重复", self.key_header)
        self.seen_numbers[number] = row

    def _check(self, rows, result: ImportResult, *, lock: bool) -> None:
        self.child_errors: list[SheetRowError] = []
        self.children: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        for row, raw in self.child_raw:
            values, errors = convert_fields(self.child_sheet_fields(), raw)
            number = key_text(raw.get("number"))
            if errors:
                self.child_errors.extend(SheetRowError(row, c, m, sheet=self.child_sheet) for c, m in errors)
                self.children.setdefault(number, [])
                continue
            values["number"] = number
            self.children[number].append((row, values))
        self.seen_numbers: dict[str, int] = {}
        super()._check(rows, result, lock=lock)
        for number, entries in self.children.items():
            if number not in self.seen_numbers:
                for row, _ in entries:
                    self.child_errors.append(
                        SheetRowError(
                            row,
                            self.key_header,
                            f"{self.key_header}“{number}”在“{self.sheet_title}”工作表中不存在",
                            sheet=self.child_sheet,
                        )
                    )
        # Plain RowErrors (cell conversion in the base class) belong to the main sheet.
        errors = [
            e if isinstance(e, SheetRowError) else SheetRowError(e.row, e.column, e.message, sheet=self.sheet_title)
            for e in result.errors
        ] + self.child_errors
        order = {self.sheet_title: 0, self.child_sheet: 1}
        result.errors = sorted(errors, key=lambda e: (order.get(e.sheet, 2), e.row))
