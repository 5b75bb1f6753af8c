"""Import of an assessment scheme from Excel (评星方案、平时考核方案): dimensions and weights,
cut-offs, veto items, caps and quotas, effective from a chosen year.

One sheet "方案", one row per item: 类别 | 名称 | 数值 | 说明. A category present in the file
replaces that part of the scheme entirely (e.g. the star dimensions); categories left out stay
as they are. The downloadable template is filled with the scheme currently in force, so the
usual way is: download, edit, upload. All rows are checked first (weights add up to 100, cut-offs
descend, quotas between 0 and 1…); if any row is wrong nothing is changed. Writing goes through
core.rules.rule_set_value (one audit entry per rule changed) plus one entry for the import.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from assessment.scheme import ASSESSMENT_DIMENSIONS, SchemeError, dec, ordered_items
from core import audit
from core.importers import Importer, ImportField, ImportResult, RowError, RowInvalid, RowPlan
from core.rules import RuleSet, rule_set_value

IMPORTED = audit.register_action("assessment.scheme.imported", "导入考核评价方案")

STAR_DIM = "评星维度"
STAR_CUT = "星级分数线"
VETO = "一票否决事项"
QUOTA_FIVE = "五星比例上限"
WEAK_LAX = "软弱涣散最高星级"
SATISFACTION = "满意度封顶"
ASSESS_DIM = "考核维度"
ASSESS_CUT = "考核等次分数线"
QUOTA_EXCELLENT = "好等次比例上限"
QUOTA_ANNUAL = "年度优秀比例上限"

CATEGORIES = [
    STAR_DIM,
    STAR_CUT,
    VETO,
    QUOTA_FIVE,
    WEAK_LAX,
    SATISFACTION,
    ASSESS_DIM,
    ASSESS_CUT,
    QUOTA_EXCELLENT,
    QUOTA_ANNUAL,
]
# category -> rule code
CODES = {
    STAR_DIM: "star.dimensions",
    STAR_CUT: "star.cutoffs",
    VETO: "star.veto_items",
    QUOTA_FIVE: "star.quota_five",
    WEAK_LAX: "star.cap_weak_lax",
    SATISFACTION: "star.satisfaction_cap",
    ASSESS_DIM: "assessment.dimensions",
    ASSESS_CUT: "assessment.grade_cutoffs",
    QUOTA_EXCELLENT: "assessment.quota_excellent",
    QUOTA_ANNUAL: "assessment.annual_quota_excellent",
}
STAR_LEVEL_NAMES = {"五星": "5", "四星": "4", "三星": "3", "二星": "2", "5": "5", "4": "4", "3": "3", "2": "2"}
SATISFACTION_NAMES = {"满意度线": "below", "最高星级": "max_stars"}
SINGLE = {QUOTA_FIVE, WEAK_LAX, QUOTA_EXCELLENT, QUOTA_ANNUAL}
RATIOS = {QUOTA_FIVE, QUOTA_EXCELLENT, QUOTA_ANNUAL}

_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[%％]\s*$")


def _number(raw: Any) -> Decimal:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RowInvalid("必填项，不能为空", "数值")
    if isinstance(raw, bool):
        raise RowInvalid("应填写数字", "数值")
    text = str(raw).strip()
    match = _PERCENT.match(text)
    if match:
        return dec(match[1]) / 100
    try:
        return dec(text)
    except SchemeError:
        raise RowInvalid(f"“{text}”不是数字", "数值") from None


def _plain(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


class SchemeImporter(Importer):
    code = "assessment.scheme"
    label = "考核评价方案"
    sheet_title = "方案"
    noun = "项"
    audit_action = IMPORTED
    max_rows = 500
    fields = [
        ImportField("category", "类别", kind="choice", required=True, choices=[(c, c) for c in CATEGORIES], width=18),
        ImportField(
            "name",
            "名称",
            required=False,
            max_length=100,
            width=36,
            help="维度名称、星级（五星/四星/三星/二星）、否决事项、等次（好/较好/一般）；比例上限和软弱涣散不填",
            example="班子队伍",
        ),
        ImportField(
            "value",
            "数值",
            required=True,
            width=12,
            help="权重、分数线、最高星级（1–5）或比例（0.3 或 30%）",
            example="20",
        ),
        ImportField("note", "说明", width=40, help="不导入，仅供填写时备注"),
    ]
    notes = [
        "4. 每行一项：评星维度（权重，合计100）、星级分数线（五星/四星/三星/二星的最低分）、一票否决事项（触发后的最高星级）、"
        "五星比例上限、软弱涣散最高星级、满意度封顶（名称“满意度线”“最高星级”各一行）、考核维度（德/能/勤/绩/廉的权重，合计100）、"
        "考核等次分数线（好/较好/一般的最低分）、好等次比例上限、年度优秀比例上限。",
        "5. 文件中出现的类别整体替换现行方案的对应部分；未出现的类别保持不变。模板已按现行方案填好，修改后上传即可。",
        "6. 已开启的评星定级和平时考核仍按开启时的方案执行，新方案从所选年度起用于新开启的评定和考核。",
    ]

    def __init__(self, user, *, filename: str = "", year: int | None = None):
        super().__init__(user, filename=filename)
        from django.utils import timezone

        self.year = int(year or timezone.localdate().year)

    # ------------------------------------------------------------------ template

    def current_rows(self) -> list[list[Any]]:
        rules = RuleSet()
        y = self.year
        rows: list[list[Any]] = []
        for name, weight in ordered_items(rules.get("star.dimensions", y), "star.dimensions"):
            rows.append([STAR_DIM, name, weight, "每个维度0–100分，按权重加权"])
        cut = rules.get("star.cutoffs", y)
        for key, label in (("5", "五星"), ("4", "四星"), ("3", "三星"), ("2", "二星")):
            rows.append([STAR_CUT, label, cut.get(key), f"总分不低于该分数评为{label}"])
        for name, cap in ordered_items(rules.get("star.veto_items", y, default={}), "star.veto_items"):
            rows.append([VETO, name, cap, "触发后最高星级"])
        rows.append([QUOTA_FIVE, "", rules.get("star.quota_five", y), "五星级党支部占参评党支部的比例上限"])
        rows.append([WEAK_LAX, "", rules.get("star.cap_weak_lax", y, default=2), "软弱涣散党组织的最高星级"])
        sat = rules.get("star.satisfaction_cap", y, default={})
        if sat:
            rows.append([SATISFACTION, "满意度线", sat.get("below"), "群众满意度低于该值（%）时封顶"])
            rows.append([SATISFACTION, "最高星级", sat.get("max_stars"), "封顶星级"])
        dims = rules.get("assessment.dimensions", y, default={})
        for label in ASSESSMENT_DIMENSIONS:
            if label in dims:
                rows.append([ASSESS_DIM, label, dims[label], "平时考核维度权重"])
        cut = rules.get("assessment.grade_cutoffs", y)
        for label in ("好", "较好", "一般"):
            rows.append([ASSESS_CUT, label, cut.get(label), f"总分不低于该分数为“{label}”"])
        rows.append([QUOTA_EXCELLENT, "", rules.get("assessment.quota_excellent", y), "平时考核“好”等次比例上限"])
        rows.append([QUOTA_ANNUAL, "", rules.get("assessment.annual_quota_excellent", y), "年度考核优秀比例上限"])
        return rows

    def template_filename(self) -> str:
        return f"考核评价方案导入模板（{self.year}年度现行方案）.xlsx"

    def write_template(self, target) -> None:
        buffer = io.BytesIO()
        super().write_template(buffer)
        buffer.seek(0)
        wb = load_workbook(buffer)
        ws = wb[self.sheet_title]
        for row in self.current_rows():
            ws.append(row)
        wb.save(target)

    # ------------------------------------------------------------------ checking

    def prepare(self, rows, *, lock):
        self.groups: dict[str, list[tuple[int, str, Decimal]]] = defaultdict(list)

    def plan_row(self, row: int, values: dict[str, Any]) -> RowPlan:
        category = values["category"]
        name = (values.get("name") or "").strip()
        value = _number(values.get("value"))
        errors: list[tuple[str, str]] = []
        if category in SINGLE:
            name = ""
            if any(r for r in self.groups[category]):
                errors.append(("类别", f"“{category}”只能填写一行"))
        elif not name:
            errors.append(("名称", f"“{category}”须填写名称"))
        if category in RATIOS and not Decimal(0) < value <= 1:
            errors.append(("数值", "比例应大于0且不超过1（如0.3或30%）"))
        if category in (WEAK_LAX, VETO) and (value != value.to_integral_value() or not 1 <= value <= 5):
            errors.append(("数值", "最高星级应为1至5的整数"))
        if category in (STAR_DIM, ASSESS_DIM) and not Decimal(0) < value <= 100:
            errors.append(("数值", "权重应大于0且不超过100"))
        if category in (STAR_CUT, ASSESS_CUT) and not Decimal(0) <= value <= 100:
            errors.append(("数值", "分数线应在0至100分之间"))
        if category == STAR_CUT and name not in STAR_LEVEL_NAMES:
            errors.append(("名称", "星级分数线的名称应为五星、四星、三星或二星"))
        if category == ASSESS_DIM and name not in ASSESSMENT_DIMENSIONS:
            errors.append(("名称", "考核维度应为德、能、勤、绩、廉之一"))
        if category == ASSESS_CUT and name not in ("好", "较好", "一般"):
            errors.append(("名称", "考核等次分数线的名称应为好、较好或一般（低于“一般”线为“较差”）"))
        if category == SATISFACTION:
            if name not in SATISFACTION_NAMES:
                errors.append(("名称", "满意度封顶的名称应为“满意度线”或“最高星级”"))
            elif name == "最高星级" and (value != value.to_integral_value() or not 1 <= value <= 5):
                errors.append(("数值", "最高星级应为1至5的整数"))
            elif name == "满意度线" and not Decimal(0) <= value <= 100:
                errors.append(("数值", "满意度线应在0至100之间"))
        key = STAR_LEVEL_NAMES.get(name, name) if category == STAR_CUT else name
        if category not in SINGLE and key and any(k == key for _, k, _ in self.groups[category]):
            errors.append(("名称", f"“{name}”在“{category}”中重复"))
        if errors:
            raise RowInvalid(errors)
        self.groups[category].append((row, key, value))
        return RowPlan(
            row=row,
            action="update",
            label=f"{category}：{name}" if name else category,
            changes={"数值": ("", f"{_plain(value)}")},
            data={"category": category},
        )

    def _check(self, rows, result: ImportResult, *, lock: bool) -> None:
        super()._check(rows, result, lock=lock)
        if result.errors:
            return
        self.new_values: dict[str, Any] = {}
        for category, entries in self.groups.items():
            first = entries[0][0]
            try:
                self.new_values[CODES[category]] = self._group_value(category, entries)
            except RowInvalid as exc:
                result.errors.extend(RowError(first, column, message) for column, message in exc.errors)
        if result.errors:
            return
        rules = RuleSet()
        changed = {code for code, value in self.new_values.items() if rules.get(code, self.year, default=None) != value}
        self.changed_codes = changed
        for plan in result.plans:
            if CODES[plan.data["category"]] not in changed:
                plan.action = "unchanged"

    def _group_value(self, category: str, entries: list[tuple[int, str, Decimal]]) -> Any:
        values = {k: v for _, k, v in entries}
        if category in (STAR_DIM, ASSESS_DIM):
            total = sum(values.values(), Decimal(0))
            if total != 100:
                raise RowInvalid(f"“{category}”各维度权重合计为{_plain(total)}，应为100", "数值")
            if category == ASSESS_DIM and set(values) != set(ASSESSMENT_DIMENSIONS):
                missing = [d for d in ASSESSMENT_DIMENSIONS if d not in values]
                raise RowInvalid(f"考核维度应包括德、能、勤、绩、廉五项，缺少：{'、'.join(missing)}", "名称")
            return {k: _plain(v) for k, v in values.items()}
        if category == STAR_CUT:
            missing = [n for n, k in (("五星", "5"), ("四星", "4"), ("三星", "3"), ("二星", "2")) if k not in values]
            if missing:
                raise RowInvalid(f"星级分数线缺少：{'、'.join(missing)}", "名称")
            seq = [values[k] for k in ("5", "4", "3", "2")]
            if any(a <= b for a, b in zip(seq, seq[1:], strict=False)):
                raise RowInvalid("星级分数线应逐级降低：五星 > 四星 > 三星 > 二星", "数值")
            return {k: _plain(values[k]) for k in ("5", "4", "3", "2")}
        if category == ASSESS_CUT:
            missing = [k for k in ("好", "较好", "一般") if k not in values]
            if missing:
                raise RowInvalid(f"考核等次分数线缺少：{'、'.join(missing)}", "名称")
            if not values["好"] > values["较好"] > values["一般"]:
                raise RowInvalid("考核等次分数线应逐级降低：好 > 较好 > 一般", "数值")
            return {k: _plain(values[k]) for k in ("好", "较好", "一般")}
        if category == VETO:
            return {k: int(v) for k, v in values.items()}
        if category == SATISFACTION:
            if set(values) != set(SATISFACTION_NAMES):
                raise RowInvalid("满意度封顶须同时填写“满意度线”和“最高星级”两行", "名称")
            return {"below": _plain(values["满意度线"]), "max_stars": int(values["最高星级"])}
        value = next(iter(values.values()))
        if category == WEAK_LAX:
            return int(value)
        return float(value)

    # ------------------------------------------------------------------ writing

    def write(self, plans: list[RowPlan], result: ImportResult) -> None:
        for code in sorted(self.changed_codes):
            rule_set_value(actor=self.user, code=code, year=self.year, value=self.new_values[code])
        self.record_audit(result)

    def record_audit(self, result: ImportResult, organization=None) -> None:
        audit.record(
            actor=self.user,
            action=self.audit_action,
            object_repr=f"导入考核评价方案（{self.year}年度起）：{self.filename or 'Excel 文件'}",
            changes={
                "rows": [None, result.total],
                "updated": [None, "、".join(sorted(self.changed_codes))],
                "year": [None, self.year],
                "file": [None, self.filename],
            },
        )
