"""Excel import of the supervision lists (see core.importers): all rows or none, each bad row named.

- 问题整改台账 (ProblemImporter): one sheet, one row per problem. New problems are registered as
  待整改 with their deadline (a date, or the rule's default number of days after discovery);
  status, closing date and 督办单 are export-only columns. A row identical to a problem already in
  the ledger (organization, source, description, discovery date) is "unchanged", so an exported
  ledger imports again without duplicates.
- 督导检查 (InspectionImporter): sheets "督导检查" (one row per inspection, keyed by a 检查编号
  chosen in the file) and "发现问题" (its findings, by 检查编号) — the findings become problems.
- 书记述职评议 (ReportImporter): sheets "述职评议" and "查摆问题", likewise.

Writes go through the services (each record with its own audit entry) plus one
`supervision.<list>.imported` entry for the whole file.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

from core import audit
from core.exporters import unneutralise
from core.importers import (
    Importer,
    ImportField,
    RowError,
    RowInvalid,
    RowPlan,
    SheetRowError,
    _is_blank,
)
from core.importers import TwoSheetImporter as BaseTwoSheetImporter
from core.scope import Scope, policy_for
from orgs.importers import OrganizationColumnsMixin
from orgs.models import Organization, Person
from supervision import services
from supervision.models import (
    METHOD_SHORT,
    Inspection,
    InspectionMethod,
    Problem,
    ProblemSource,
    SecretaryReport,
)

audit.register_action("supervision.problem.imported", "导入整改问题")
audit.register_action("supervision.inspection.imported", "导入督导检查")
audit.register_action("supervision.report.imported", "导入书记述职评议")

F = ImportField
SPLIT = re.compile(r"[、，,；;\s]+")

# ---------------------------------------------------------------------- problem columns

PROBLEM_FIELDS: tuple[ImportField, ...] = (
    F(
        "source",
        "问题来源",
        kind="choice",
        required=True,
        choices=[c for c in ProblemSource.choices if c[0] != ProblemSource.SECRETARY_REPORT],
        width=16,
        help="述职评议查摆的问题请用“导入书记述职评议”导入",
        example="上级反馈",
    ),
    F("source_note", "来源说明", max_length=200, width=20, example="市直机关工委督导反馈意见第3条"),
    F(
        "inspection",
        "督导检查名称",
        max_length=100,
        width=20,
        help="问题来源为督导检查时填写（系统中已登记的检查名称）",
    ),
    F(
        "organization",
        "责任党组织",
        max_length=100,
        width=18,
        help="与“党组织编码”至少填写一项",
        example="机关第一党支部",
    ),
    F("organization_code", "党组织编码", max_length=40, width=12, example="DEMO-B01"),
    F("description", "问题描述", required=True, width=40, example="“三会一课”记录不规范"),
    F("measures", "整改措施", width=30, example="规范会议记录，每月由组织委员审核"),
    F("responsible_person", "责任人", max_length=50, width=10, help="人员姓名", example="张三"),
    F("responsible_leader", "责任领导", max_length=50, width=10, help="人员姓名"),
    F("found_on", "发现日期", kind="date", required=True, past_only=True, width=12, example="2022-05-27"),
    F("due_on", "整改时限", kind="date", width=12, help="不填则按规则默认天数计算", example="2022-07-31"),
)
PROBLEM_EXPORT_ONLY = ("编号", "状态", "销号日期", "验收意见", "督办单")

# Findings of an inspection / problems of a report (the second sheet).
CHILD_PROBLEM_FIELDS: tuple[ImportField, ...] = (
    F("organization", "责任党组织", max_length=100, width=18, help="须为被检查党组织；与党组织编码至少填一项"),
    F("organization_code", "党组织编码", max_length=40, width=12),
    F("description", "问题描述", required=True, width=40),
    F("measures", "整改措施", width=30),
    F("responsible_person", "责任人", max_length=50, width=10),
    F("responsible_leader", "责任领导", max_length=50, width=10),
    F("due_on", "整改时限", kind="date", width=12, help="不填则按规则默认天数计算"),
)


class PeopleMixin:
    """Resolve person names (责任人, 检查人员…) in bulk: inside the organization's subtree first."""

    def load_people(self, names: set[str]) -> None:
        self.people_by_name: dict[str, list[Person]] = defaultdict(list)
        names = {n for n in names if n}
        chunk = sorted(names)
        for start in range(0, len(chunk), 500):
            for p in Person.objects.filter(name__in=chunk[start : start + 500]).order_by("pk"):
                self.people_by_name[p.name].append(p)

    def person(self, name: str, org: Organization | None, header: str, errors: list) -> Person | None:
        if not name:
            return None
        candidates = self.people_by_name.get(name, [])
        inside = [p for p in candidates if org is not None and p.org_path.startswith(org.path)]
        found = inside or candidates
        if not found:
            errors.append((header, f"人员“{name}”不存在，请核对姓名"))
            return None
        if len(found) > 1:
            errors.append((header, f"有 {len(found)} 名叫“{name}”的人员，无法确定是哪一位，请在系统中登记"))
            return None
        return found[0]


def _names_in(raw: Any) -> list[str]:
    return [n for n in SPLIT.split(unneutralise(str(raw or "")).strip()) if n]


# ---------------------------------------------------------------------- the ledger (one sheet)


class ProblemImporter(PeopleMixin, OrganizationColumnsMixin, Importer):
    code = "supervision.problems"
    label = "整改问题"
    audit_action = "supervision.problem.imported"
    sheet_title = "问题整改台账"
    noun = "条"
    org_header = "责任党组织"
    fields = PROBLEM_FIELDS
    notes = (
        "4. 导入的问题状态为“待整改”，由责任党组织在系统中报告进展、申请销号；“状态”“销号日期”等导出列导入时忽略。",
        "5. 整改时限不填的，按规则“问题整改默认时限”自发现日期起计算；填写的不能早于发现日期。",
        "6. 系统中已有的相同问题（责任党组织、来源、问题描述、发现日期均相同）视为无变化，不重复登记，因此导出的台账可以直接再次导入。",
        "7. 只能导入到您有权登记问题的党组织（见“可导入的党组织”工作表）。",
    )

    def __init__(self, user, *, filename: str = ""):
        super().__init__(user, filename=filename)
        self.policy = policy_for(Problem)

    def writable_organizations(self):
        q = Scope.of(self.user).org_q("path", self.policy.roles_for("add"))
        qs = Organization.objects.all() if q is None else Organization.objects.filter(q)
        return qs.order_by("path")

    def reference_sheets(self):
        return [
            (
                "可导入的党组织",
                ["党组织编码", "党组织名称", "组织类型"],
                [(o.code, o.name, o.get_org_type_display()) for o in self.writable_organizations()[:5000]],
            )
        ]

    def prepare(self, rows, *, lock):
        self.load_organizations()
        names = set()
        for _, raw in rows:
            for key in ("responsible_person", "responsible_leader"):
                if not _is_blank(raw.get(key)):
                    names.add(unneutralise(str(raw[key])).strip())
        self.load_people(names)
        inspections = policy_for(Inspection).visible(self.user, "change")
        self.inspections: dict[str, list[Inspection]] = defaultdict(list)
        for i in inspections.select_related("organization"):
            self.inspections[i.name].append(i)
        descriptions = {
            unneutralise(str(raw["description"])).strip() for _, raw in rows if not _is_blank(raw.get("description"))
        }
        self.existing: set[tuple] = set()
        chunk = sorted(descriptions)
        for start in range(0, len(chunk), 500):
            for key in Problem.objects.filter(description__in=chunk[start : start + 500]).values_list(
                "organization_id", "source", "description", "found_on"
            ):
                self.existing.add(key)
        self.seen: dict[tuple, int] = {}

    def plan_row(self, row, v):
        errors: list[tuple[str, str]] = []
        org = self._organization(v, errors)
        if org is not None and not self.policy.can_add(self.user, org):
            errors.append((self.org_header, f"您无权为“{org.name}”登记问题"))
            org = None
        inspection = None
        if v["source"] == ProblemSource.INSPECTION:
            if not v["inspection"]:
                errors.append(("督导检查名称", "问题来源为督导检查时须填写督导检查名称"))
            else:
                found = self.inspections.get(v["inspection"], [])
                if not found:
                    errors.append(("督导检查名称", f"没有名为“{v['inspection']}”的督导检查（或您无权登记）"))
                elif len(found) > 1:
                    errors.append(
                        ("督导检查名称", f"有 {len(found)} 次督导检查都叫“{v['inspection']}”，请在系统中登记")
                    )
                else:
                    inspection = found[0]
        elif v["inspection"]:
            errors.append(("督导检查名称", "只有来源为督导检查的问题才填写督导检查名称"))
        person = self.person(v["responsible_person"], org, "责任人", errors)
        leader = self.person(v["responsible_leader"], org, "责任领导", errors)
        if v["due_on"] and v["due_on"] < v["found_on"]:
            errors.append(("整改时限", "整改时限不能早于发现日期"))
        if errors:
            raise RowInvalid(errors)
        data = {
            "source": v["source"],
            "inspection": inspection,
            "source_note": v["source_note"],
            "organization": org,
            "description": v["description"],
            "measures": v["measures"],
            "responsible_person": person,
            "responsible_leader": leader,
            "found_on": v["found_on"],
        }
        probe = Problem(**data, due_on=v["due_on"] or v["found_on"])
        try:
            services.validate_problem(probe)
        except ValidationError as exc:
            raise RowInvalid([("", m) for ms in exc.message_dict.values() for m in ms]) from None
        key = (org.pk, v["source"], v["description"], v["found_on"])
        label = f"{org.name}：{v['description'][:40]}"
        if key in self.seen:
            raise RowInvalid(f"与第 {self.seen[key]} 行是同一问题", "问题描述")
        self.seen[key] = row
        if key in self.existing:
            return RowPlan(row, "unchanged", label)
        due = v["due_on"] or services.due_date(v["found_on"])
        changes = {"来源": ("", ProblemSource(v["source"]).label), "整改时限": ("", due.isoformat())}
        return RowPlan(row, "create", label, changes=changes, data={"data": data, "deadline": v["due_on"]})

    def write(self, plans, result):
        for plan in plans:
            if plan.action != "create":
                continue
            try:
                plan.obj = services.problem_create(
                    actor=self.user, data=plan.data["data"], deadline=plan.data["deadline"]
                )
            except ValidationError as exc:
                result.errors.append(RowError(plan.row, "", "；".join(exc.messages)))
        if not result.errors:
            self.record_audit(result, Scope.of(self.user).home_organization if self.user is not None else None)


def problem_export_values(p: Problem) -> list[Any]:
    return [
        ProblemSource(p.source).label,
        p.source_note,
        p.inspection.name if p.inspection_id else "",
        p.organization.name,
        p.organization.code,
        p.description,
        p.measures,
        p.responsible_person.name if p.responsible_person_id else "",
        p.responsible_leader.name if p.responsible_leader_id else "",
        p.found_on,
        p.due_on,
        str(p.pk),
        p.get_status_display(),
        p.closed_on,
        p.verification,
        p.escalation.number if hasattr(p, "escalation") else "",
    ]


# ---------------------------------------------------------------------- two sheets: a record and its problems


class TwoSheetImporter(PeopleMixin, OrganizationColumnsMixin, BaseTwoSheetImporter):
    """A main sheet (one row per record, keyed by a number chosen in the file) and a sheet of
    problems linked by that number."""

    child_sheet = ""
    child_fields: Sequence[ImportField] = CHILD_PROBLEM_FIELDS
    key_header = ""
    main_export_only: Sequence[str] = ()
    child_export_only: Sequence[str] = ("状态",)
    model = None

    reject_duplicate_headers = False

    def __init__(self, user, *, filename: str = ""):
        super().__init__(user, filename=filename)
        self.policy = policy_for(self.model)

    # -- template

    def writable_organizations(self):
        q = Scope.of(self.user).org_q("path", self.policy.roles_for("add"))
        qs = Organization.objects.all() if q is None else Organization.objects.filter(q)
        return qs.order_by("path")

    def reference_sheets(self):
        return [
            (
                "可导入的党组织",
                ["党组织编码", "党组织名称", "组织类型"],
                [(o.code, o.name, o.get_org_type_display()) for o in self.writable_organizations()[:5000]],
            )
        ]

    def general_notes(self) -> list[str]:
        return [
            f"1. 在“{self.sheet_title}”“{self.child_sheet}”两个工作表第 2 行起逐行填写；请勿修改、删除或调换第 1 行表头。",
            "2. 红色表头为必填列；日期请填写为 2022-06-30 格式；多个人员或党组织之间用顿号“、”分隔。",
            "3. 导入前系统会逐行校验两个工作表：只要有一行有误，就不会导入任何数据，并列出每个错误所在的工作表、行号和原因。",
            *self.notes,
        ]

    def child_sheet_fields(self) -> tuple[ImportField, ...]:
        key = F(
            "number",
            self.key_header,
            required=True,
            max_length=40,
            width=10,
            help=f"“{self.sheet_title}”工作表中的{self.key_header}",
        )
        return (key, *self.child_fields)

    def prepare(self, rows, *, lock):
        self.load_organizations()
        names: set[str] = set()
        for _, raw in rows:
            for key in self.person_columns:
                names.update(_names_in(raw.get(key)))
        for entries in self.children.values():
            for _, v in entries:
                names.update(n for n in (v.get("responsible_person"), v.get("responsible_leader")) if n)
        self.load_people(names)

    person_columns: Sequence[str] = ()

    def child_problems(self, number: str, allowed: list[Organization], default_org: Organization | None, found_on):
        """The problems of a record, or None when any of its rows is invalid (errors recorded)."""
        problems, ok = [], True
        for row, v in self.children.get(number, []):
            errors: list[tuple[str, str]] = []
            if v.get("organization") or v.get("organization_code"):
                org = self._organization(v, errors)
            else:
                org = default_org
                if org is None:
                    errors.append(("责任党组织", "请填写责任党组织"))
            if org is not None and allowed and all(o.pk != org.pk for o in allowed):
                errors.append(("责任党组织", f"“{org.name}”不在本条记录的范围内"))
            person = self.person(v.get("responsible_person") or "", org, "责任人", errors)
            leader = self.person(v.get("responsible_leader") or "", org, "责任领导", errors)
            if v.get("due_on") and found_on and v["due_on"] < found_on:
                errors.append(("整改时限", "整改时限不能早于发现日期"))
            if errors:
                self.child_errors.extend(SheetRowError(row, c, m, sheet=self.child_sheet) for c, m in errors)
                ok = False
                continue
            problems.append(
                {
                    "organization": org,
                    "description": v["description"],
                    "measures": v.get("measures", ""),
                    "responsible_person": person,
                    "responsible_leader": leader,
                    "deadline": v.get("due_on"),
                }
            )
        return problems if ok else None

    def write_problems(self, plan, source_data: dict, found_on: datetime.date, result) -> None:
        for p in plan.data["problems"]:
            deadline = p.pop("deadline")
            try:
                services.problem_create(
                    actor=self.user, data={**source_data, **p, "found_on": found_on}, deadline=deadline
                )
            except ValidationError as exc:
                result.errors.append(SheetRowError(plan.row, "", "；".join(exc.messages), sheet=self.child_sheet))


# ---------------------------------------------------------------------- inspections

INSPECTION_FIELDS: tuple[ImportField, ...] = (
    F(
        "number",
        "检查编号",
        required=True,
        max_length=40,
        width=10,
        help="本文件内的编号，“发现问题”工作表按此对应",
        example="1",
    ),
    F("name", "检查名称", required=True, max_length=100, width=24, example="2022年第二轮党建督导检查"),
    F("organization", "登记党组织", max_length=100, width=20, help="与“党组织编码”至少填写一项", example="局机关党委"),
    F("organization_code", "党组织编码", max_length=40, width=12),
    F("inspector_body", "检查单位", max_length=100, width=18, help="上级督导组检查的填写上级单位；本级检查不填"),
    F("targets", "被检查党组织", required=True, width=30, help="多个用顿号“、”分隔，须为登记党组织或其下级组织"),
    F("inspectors", "检查人员", width=20, help="姓名，多个用顿号“、”分隔"),
    F(
        "methods",
        "检查方式",
        required=True,
        width=18,
        help="实地、查阅资料、座谈、问卷，多个用顿号分隔",
        example="实地、查阅资料",
    ),
    F("start_on", "开始日期", kind="date", required=True, past_only=True, width=12),
    F("end_on", "结束日期", kind="date", width=12),
    F("summary", "检查情况", width=30, strip=False),
    F("feedback", "反馈意见", width=30, strip=False),
    F("feedback_on", "反馈日期", kind="date", past_only=True, width=12),
)
METHOD_WORDS = {
    **{v: k for k, v in METHOD_SHORT.items()},
    **{label: value for value, label in InspectionMethod.choices},
}


class InspectionImporter(TwoSheetImporter):
    code = "supervision.inspections"
    label = "督导检查"
    audit_action = "supervision.inspection.imported"
    sheet_title = "督导检查"
    child_sheet = "发现问题"
    key_header = "检查编号"
    noun = "次"
    org_header = "登记党组织"
    fields = INSPECTION_FIELDS
    model = Inspection
    person_columns = ("inspectors",)
    main_export_only = ("问题数", "未销号")
    notes = (
        "4. “发现问题”工作表每行一条反馈问题，按检查编号对应督导检查，导入后直接进入问题整改台账（待整改）；责任党组织不填时为第一个被检查党组织。",
        "5. 系统中已登记的督导检查（登记党组织、检查名称、开始日期均相同）视为无变化，其发现问题也不再重复导入。",
    )

    def prepare(self, rows, *, lock):
        super().prepare(rows, lock=lock)
        self.existing = {
            (i.organization_id, i.name, i.start_on): i
            for i in Inspection.objects.filter(
                name__in={unneutralise(str(r["name"])).strip() for _, r in rows if r.get("name")}
            )
        }
        self.seen_keys: dict[tuple, int] = {}

    def plan_row(self, row, v):
        errors: list[tuple[str, str]] = []
        number = v["number"]
        self.claim_number(number, row)
        org = self._organization(v, errors)
        if org is not None and not self.policy.can_add(self.user, org):
            errors.append(("登记党组织", f"您无权为“{org.name}”登记督导检查"))
            org = None
        targets = []
        for name in _names_in(v["targets"]):
            found = self._orgs_named(name) or ([self.orgs_by_code[name]] if name in self.orgs_by_code else [])
            if len(found) != 1:
                errors.append(("被检查党组织", f"党组织“{name}”{'不存在' if not found else '有重名'}，请核对"))
            else:
                targets.append(found[0])
        methods = []
        for word in _names_in(v["methods"]):
            value = METHOD_WORDS.get(word)
            if value is None:
                errors.append(("检查方式", f"“{word}”不是有效的检查方式，可选：实地、查阅资料、座谈、问卷"))
            else:
                methods.append(value)
        inspectors = [self.person(name, org, "检查人员", errors) for name in _names_in(v["inspectors"])]
        if errors:
            raise RowInvalid(errors)
        data = {
            "name": v["name"],
            "organization": org,
            "inspector_body": v["inspector_body"],
            "methods": services.normalize_methods(methods),
            "start_on": v["start_on"],
            "end_on": v["end_on"],
            "summary": v["summary"],
            "feedback": v["feedback"],
            "feedback_on": v["feedback_on"],
        }
        try:
            services.validate_inspection(Inspection(**data), targets)
        except ValidationError as exc:
            raise RowInvalid(
                [(h, m) for k, ms in exc.message_dict.items() for m in ms for h in [self._header(k)]]
            ) from None
        found_on = v["feedback_on"] or v["start_on"]
        problems = self.child_problems(number, targets, targets[0] if targets else None, found_on)
        if problems is None:
            raise RowInvalid("该检查的发现问题有误（见“发现问题”工作表中的错误）", "检查编号")
        key = (org.pk, v["name"], v["start_on"])
        if key in self.seen_keys:
            raise RowInvalid(f"与第 {self.seen_keys[key]} 行是同一次检查", "检查名称")
        self.seen_keys[key] = row
        label = f"{v['start_on'].isoformat()} {v['name']}（{org.name}）"
        if key in self.existing:
            return RowPlan(row, "unchanged", label, obj=self.existing[key])
        changes = {"被检查党组织": ("", "、".join(t.name for t in targets)), "发现问题": ("", f"{len(problems)}条")}
        return RowPlan(
            row,
            "create",
            label,
            changes=changes,
            data={
                "data": data,
                "targets": targets,
                "inspectors": inspectors,
                "problems": problems,
                "found_on": found_on,
            },
        )

    def _header(self, key: str) -> str:
        return {f.key: f.header for f in self.fields}.get(key, "")

    def write(self, plans, result):
        for plan in plans:
            if plan.action != "create":
                continue
            d = plan.data
            try:
                inspection = services.inspection_create(
                    actor=self.user, data=d["data"], targets=d["targets"], inspectors=d["inspectors"]
                )
            except ValidationError as exc:
                result.errors.append(SheetRowError(plan.row, "", "；".join(exc.messages), sheet=self.sheet_title))
                continue
            plan.obj = inspection
            self.write_problems(
                plan, {"source": ProblemSource.INSPECTION, "inspection": inspection}, d["found_on"], result
            )
        if not result.errors:
            self.record_audit(result, Scope.of(self.user).home_organization if self.user is not None else None)


# ---------------------------------------------------------------------- secretaries' reports

REPORT_FIELDS: tuple[ImportField, ...] = (
    F(
        "number",
        "述职编号",
        required=True,
        max_length=40,
        width=10,
        help="本文件内的编号，“查摆问题”工作表按此对应",
        example="1",
    ),
    F(
        "organization",
        "党组织",
        max_length=100,
        width=20,
        help="述职书记所在党支部；与“党组织编码”至少填写一项",
        example="机关第一党支部",
    ),
    F("organization_code", "党组织编码", max_length=40, width=12),
    F("secretary", "述职书记", required=True, max_length=50, width=10, example="张三"),
    F("year", "述职年度", kind="int", required=True, width=10, example="2021"),
    F("held_on", "述职大会日期", kind="date", required=True, past_only=True, width=12, example="2022-01-25"),
    F("title", "述职大会名称", max_length=150, width=30),
    F("rating_excellent", "好", kind="int", width=6),
    F("rating_good", "较好", kind="int", width=6),
    F("rating_fair", "一般", kind="int", width=6),
    F("rating_poor", "差", kind="int", width=6),
    F("comments", "评议意见", width=30, strip=False),
    F("report", "述职报告", width=30, strip=False, help="可粘贴述职报告正文；文件请在系统中上传"),
)


class ReportImporter(TwoSheetImporter):
    code = "supervision.reports"
    label = "书记述职评议"
    audit_action = "supervision.report.imported"
    sheet_title = "述职评议"
    child_sheet = "查摆问题"
    key_header = "述职编号"
    noun = "人"
    fields = REPORT_FIELDS
    model = SecretaryReport
    person_columns = ("secretary",)
    main_export_only = ("问题数", "未销号")
    notes = (
        "4. “查摆问题”工作表每行一条问题，按述职编号对应，导入后直接进入问题整改台账（待整改），责任党组织为述职书记所在党支部，发现日期为述职大会日期。",
        "5. 同一书记同一年度只登记一次述职；系统中已登记的视为无变化。",
    )

    def prepare(self, rows, *, lock):
        super().prepare(rows, lock=lock)
        self.existing = set(SecretaryReport.objects.values_list("organization_id", "secretary_id", "year"))
        self.seen_keys: dict[tuple, int] = {}

    def plan_row(self, row, v):
        errors: list[tuple[str, str]] = []
        number = v["number"]
        self.claim_number(number, row)
        org = self._organization(v, errors)
        if org is not None and not self.policy.can_add(self.user, org):
            errors.append(("党组织", f"您无权为“{org.name}”登记述职评议"))
            org = None
        secretary = self.person(v["secretary"], org, "述职书记", errors)
        for key, header in (
            ("rating_excellent", "好"),
            ("rating_good", "较好"),
            ("rating_fair", "一般"),
            ("rating_poor", "差"),
        ):
            if v[key] is not None and v[key] < 0:
                errors.append((header, "票数不能为负数"))
        if errors:
            raise RowInvalid(errors)
        data = {
            "organization": org,
            "secretary": secretary,
            "year": v["year"],
            "held_on": v["held_on"],
            "title": v["title"],
            "report": v["report"],
            "rating_excellent": v["rating_excellent"] or 0,
            "rating_good": v["rating_good"] or 0,
            "rating_fair": v["rating_fair"] or 0,
            "rating_poor": v["rating_poor"] or 0,
            "comments": v["comments"],
        }
        key = (org.pk, secretary.pk, v["year"])
        label = f"{org.name} {secretary.name} {v['year']}年度述职"
        if key in self.existing:
            # Validation below would complain about the duplicate: an existing report is unchanged.
            return RowPlan(row, "unchanged", label)
        try:
            services.validate_report(SecretaryReport(**data))
        except ValidationError as exc:
            headers = {f.key: f.header for f in self.fields}
            raise RowInvalid([(headers.get(k, ""), m) for k, ms in exc.message_dict.items() for m in ms]) from None
        problems = self.child_problems(number, [org], org, v["held_on"])
        if problems is None:
            raise RowInvalid("该述职的查摆问题有误（见“查摆问题”工作表中的错误）", "述职编号")
        if key in self.seen_keys:
            raise RowInvalid(f"与第 {self.seen_keys[key]} 行是同一书记同一年度的述职", "述职书记")
        self.seen_keys[key] = row
        changes = {
            "评议": (
                "",
                f"好{data['rating_excellent']} 较好{data['rating_good']} 一般{data['rating_fair']} 差{data['rating_poor']}",
            ),
            "查摆问题": ("", f"{len(problems)}条"),
        }
        return RowPlan(row, "create", label, changes=changes, data={"data": data, "problems": problems})

    def write(self, plans, result):
        for plan in plans:
            if plan.action != "create":
                continue
            try:
                report = services.report_create(actor=self.user, data=plan.data["data"])
            except ValidationError as exc:
                result.errors.append(SheetRowError(plan.row, "", "；".join(exc.messages), sheet=self.sheet_title))
                continue
            plan.obj = report
            self.write_problems(
                plan, {"source": ProblemSource.SECRETARY_REPORT, "secretary_report": report}, report.held_on, result
            )
        if not result.errors:
            self.record_audit(result, Scope.of(self.user).home_organization if self.user is not None else None)
