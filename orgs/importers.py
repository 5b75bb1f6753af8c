"""Excel imports of the people ledger and of the organization tree (see core.importers).

People are imported in bulk: 10,000 rows are checked with a constant number of queries
(organizations, units, departments and the existing people the file refers to are loaded
up front) and written with `bulk_create` / `bulk_update`. Each row goes through
`services.prepare_person`, so an import applies exactly the rules of the person form
(dates, pinyin, department/unit); only its per-row ID clash query is replaced by the
file-wide check against the pre-loaded people.

Audit decision for the bulk people import: one audit entry per import
(``orgs.person.imported`` with the row, created, updated and unchanged counts and the file
name), not one entry per row. Per-row history is still kept: the rows are written with
simple-history's ``bulk_create_with_history`` / ``bulk_update_with_history``, so every created
or changed person gets a historical record (user, time, reason "Excel导入") that shows the
field values before and after. An import that changes nothing (e.g. re-importing an export)
writes nothing at all — no rows, no history, no audit entry.

Organizations are few (at most a few thousand), so each row goes through
`orgs.services.organization_create` / `organization_update` (one audit entry per changed
organization, with its subtree path maintenance), plus one ``orgs.organization.imported``
summary entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.audit import mask_id_number
from core.events import records_changed
from core.exporters import unneutralise
from core.importers import Importer, ImportField, ImportResult, RowError, RowInvalid, RowPlan
from core.scope import Scope, policy_for
from orgs import services
from orgs.models import Department, Gender, Organization, OrgType, PartyStatus, Person, Unit
from orgs.validators import birth_date_from_id, gender_from_id, normalize_id_number, validate_id_number

F = ImportField
HISTORY_REASON = "Excel导入"
BATCH_SIZE = 500

# One list of columns for the template, the import and the export (so an export re-imports).
PERSON_IMPORT_FIELDS: tuple[ImportField, ...] = (
    F("name", "姓名", required=True, max_length=50, width=10, help="人员姓名", example="张三"),
    F(
        "gender",
        "性别",
        kind="choice",
        choices=Gender.choices,
        width=6,
        help="填写了身份证号的可不填，系统按身份证号自动识别",
        example="男",
    ),
    F(
        "id_number",
        "身份证号",
        text_only=True,
        width=21,
        help="18位居民身份证号，系统会校验号码和校验位；同一号码只能登记一人。已登记的人员按身份证号识别。"
        "含 * 的脱敏号码表示保留系统中已有的号码。请把该列设置为文本格式",
        example="370602198001011234",
    ),
    F(
        "birth_date",
        "出生日期",
        kind="date",
        past_only=True,
        width=12,
        help="填写了身份证号的可不填，系统按身份证号自动识别（填写的须与身份证号一致）",
        example="1980-01-01",
    ),
    F(
        "party_status",
        "政治面貌",
        kind="choice",
        required=True,
        choices=PartyStatus.choices,
        width=12,
        example="正式党员",
    ),
    F(
        "joined_party_on",
        "入党日期",
        kind="date",
        past_only=True,
        width=12,
        help="党员填写；不能早于出生日期、不能晚于今天",
        example="2005-07-01",
    ),
    F(
        "full_member_on",
        "转正日期",
        kind="date",
        past_only=True,
        width=12,
        help="正式党员填写；不能早于入党日期",
        example="2006-07-01",
    ),
    F(
        "organization",
        "所属党组织",
        width=20,
        max_length=100,
        help="党组织全称，须与系统中一致（见“可导入的党组织”工作表）；与“党组织编码”至少填写一项",
        example="机关第一党支部",
    ),
    F(
        "organization_code",
        "党组织编码",
        width=12,
        max_length=40,
        help="党组织编码；填写后以编码为准（名称同时填写的须一致）",
        example="T01",
    ),
    F(
        "unit",
        "单位",
        width=16,
        max_length=100,
        help="须为系统中已登记的单位（见“科室与单位”工作表）",
        example="市文化和旅游局机关",
    ),
    F("department", "科室", width=14, max_length=100, help="须为系统中已登记的科室，且属于所填单位", example="办公室"),
    F("job_title", "职务", width=14, max_length=100, example="科长"),
    F("is_leader", "领导干部", kind="bool", width=9, example="否"),
    F("is_leadership_member", "党组成员", kind="bool", width=9, example="否"),
    F("leadership_role", "班子分工", width=18, max_length=100, help="如：党组书记（第一责任人）", example=""),
    F("phone", "联系电话", width=14, max_length=20, example="13800000000"),
    F("notes", "备注", width=24, strip=False, example=""),
)

ORG_IMPORT_FIELDS: tuple[ImportField, ...] = (
    F(
        "code",
        "组织编码",
        required=True,
        max_length=40,
        width=14,
        help="党组织的唯一编码；系统中已有该编码的组织将按表中内容更新，其余新增",
        example="T03",
    ),
    F("name", "名称", required=True, max_length=100, width=24, example="机关第三党支部"),
    F("short_name", "简称", max_length=50, width=12, example="三支部"),
    F("org_type", "组织类型", kind="choice", required=True, choices=OrgType.choices, width=12, example="党支部"),
    F(
        "parent_code",
        "上级组织编码",
        max_length=40,
        width=14,
        help="上级党组织的组织编码，可以是本文件中前面行新增的组织；顶级组织（机关党委）留空",
        example="T00",
    ),
    F(
        "is_industry",
        "行业党组织",
        kind="bool",
        width=10,
        help="由机关党委指导、党员不在本局机关的行业党组织",
        example="否",
    ),
    F("established_on", "成立日期", kind="date", past_only=True, width=12, example="2018-05-01"),
    F("term_start", "本届开始日期", kind="date", width=13, help="不能早于成立日期", example="2021-05-01"),
    F(
        "term_end",
        "本届届满日期",
        kind="date",
        width=13,
        help="应晚于本届开始日期；留空则按规则中的任期年限自动计算",
        example="",
    ),
    F(
        "has_committee",
        "设立支部委员会",
        kind="bool",
        width=14,
        help="正式党员7人以上的党支部应设立支部委员会",
        example="是",
    ),
    F("has_cells", "设立党小组", kind="bool", width=10, example="否"),
    F(
        "fixed_theme_day",
        "主题党日固定日",
        kind="int",
        width=14,
        help="每月固定开展主题党日的日期（1–28）",
        example="15",
    ),
)


def _chunks(values: Iterable[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _raw_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unneutralise(str(value)).strip()


def _display(instance: models.Model, name: str) -> Any:
    field = instance._meta.get_field(name)
    if field.many_to_one:
        related = getattr(instance, name)
        return str(related) if related is not None else ""
    value = getattr(instance, field.attname)
    if name == "id_number":
        return mask_id_number(value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _copy(instance: models.Model) -> models.Model:
    """An independent copy of a loaded row (so that checking a row never touches the original)."""
    model = type(instance)
    clone = model(**{f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields})
    clone._state.adding = False
    clone._state.db = instance._state.db
    return clone


def _actor(user):
    return user if getattr(user, "pk", None) else None


def _errors_from(exc: ValidationError, headers: dict[str, str]) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(headers.get(name, ""), message) for name, messages in exc.message_dict.items() for message in messages]
    return [("", message) for message in exc.messages]


class OrganizationColumnsMixin:
    """Resolves an import row's 党组织 (name or short name) and 党组织编码 columns to an Organization.

    Used by the person import here and by the meeting import. `org_header` is the label of the name
    column in error messages. With `short_names_rank_equal` a short name counts as much as a full
    name (an org named X and another abbreviated X are ambiguous); without it, short names are tried
    only when no full name matches.
    """

    org_header = "党组织"
    org_code_header = "党组织编码"
    short_names_rank_equal = True

    def load_organizations(self) -> None:
        self.orgs_by_code: dict[str, Organization] = {}
        self.orgs_by_name: dict[str, list[Organization]] = defaultdict(list)
        for org in Organization.objects.all():
            self.orgs_by_code[org.code] = org
            self.orgs_by_name[org.name].append(org)
            if self.short_names_rank_equal and org.short_name and org.short_name != org.name:
                self.orgs_by_name[org.short_name].append(org)

    def _orgs_named(self, name: str) -> list[Organization]:
        found = self.orgs_by_name.get(name, [])
        if not found and not self.short_names_rank_equal:
            found = [o for o in self.orgs_by_code.values() if o.short_name == name]
        return found

    def _organization(self, v, errors) -> Organization | None:
        code, name = v["organization_code"], v["organization"]
        header, code_header = self.org_header, self.org_code_header
        if not code and not name:
            errors.append((header, f"必填项，请填写{header}名称或党组织编码"))
            return None
        if code:
            org = self.orgs_by_code.get(code)
            if org is None:
                errors.append((code_header, f"党组织编码“{code}”不存在，请核对（见模板中的“可导入的党组织”工作表）"))
                return None
            if name and name not in (org.name, org.short_name):
                errors.append((header, f"党组织编码“{code}”对应的是“{org.name}”，与填写的“{name}”不一致"))
                return None
            return org
        found = self._orgs_named(name)
        if not found:
            errors.append((header, f"党组织“{name}”不存在，请核对名称或填写党组织编码"))
            return None
        if len(found) > 1:
            errors.append((header, f"有 {len(found)} 个党组织都叫“{name}”，请填写党组织编码以区分"))
            return None
        return found[0]


# ---------------------------------------------------------------------- people


class PersonImporter(OrganizationColumnsMixin, Importer):
    code = "orgs.people"
    label = "人员"
    audit_action = "orgs.person.imported"
    sheet_title = "人员"
    noun = "人"
    fields = PERSON_IMPORT_FIELDS
    org_header = "所属党组织"
    short_names_rank_equal = False
    notes = (
        "4. 已登记的人员按身份证号识别；未填身份证号的，按“姓名 + 所属党组织”识别。识别到的人员按表中内容更新，其余新增；"
        "内容完全相同的行不做任何修改（因此导出的台账可以直接修改后导入）。",
        "5. 更新时以表中内容为准：留空的单元格会清空系统中的对应内容（身份证号除外：留空或为脱敏号码（含 *）时保留系统中已有的号码）。",
        "6. 只能导入到您有权管理的党组织（见“可导入的党组织”工作表）；姓名有变化的，请在人员页面修改，不要通过导入。",
    )

    HEADERS = {f.key: f.header for f in PERSON_IMPORT_FIELDS}

    def __init__(self, user, *, filename: str = ""):
        super().__init__(user, filename=filename)
        self.policy = policy_for(Person)

    # ------------------------------------------------------------------ template

    def reference_sheets(self):
        orgs = policy_for(Organization).visible(self.user, "change").order_by("path")
        departments = Department.objects.select_related("unit").order_by("unit__sort_order", "sort_order", "id")
        return [
            (
                "可导入的党组织",
                ["党组织编码", "党组织名称", "组织类型"],
                [(o.code, o.name, o.get_org_type_display()) for o in orgs],
            ),
            ("科室与单位", ["单位", "科室"], [(d.unit.name, d.name) for d in departments]),
        ]

    # ------------------------------------------------------------------ checking

    def prepare(self, rows, *, lock):
        self.load_organizations()
        self.units = {u.name: u for u in Unit.objects.all()}
        self.dept_by_unit: dict[tuple[int, str], Department] = {}
        self.depts_by_name: dict[str, list[Department]] = defaultdict(list)
        for dept in Department.objects.select_related("unit"):
            self.dept_by_unit[(dept.unit_id, dept.name)] = dept
            self.depts_by_name[dept.name].append(dept)

        ids, names = set(), set()
        for _, raw in rows:
            number = normalize_id_number(_raw_text(raw.get("id_number")))
            if number and "*" not in number:
                ids.add(number)
            name = _raw_text(raw.get("name"))
            if name:
                names.add(name)
        qs = Person.objects.select_related("organization", "unit", "department")
        if lock:
            qs = qs.select_for_update(of=("self",))
        people: dict[int, Person] = {}
        for chunk in _chunks(sorted(ids)):
            people.update((p.pk, p) for p in qs.filter(id_number__in=chunk))
        for chunk in _chunks(sorted(names)):
            people.update((p.pk, p) for p in qs.filter(name__in=chunk))
        self.people_by_id = {p.id_number: p for p in people.values() if p.id_number}
        self.people_by_key: dict[tuple[str, int], list[Person]] = defaultdict(list)
        for p in people.values():
            self.people_by_key[(p.name, p.organization_id)].append(p)
        self.seen_ids: dict[str, int] = {}
        self.seen_keys: dict[tuple[str, int], int] = {}
        self.seen_targets: dict[int, int] = {}

    def _unit_department(self, v, errors) -> tuple[Unit | None, Department | None]:
        unit = dept = None
        if v["unit"]:
            unit = self.units.get(v["unit"])
            if unit is None:
                errors.append(("单位", f"单位“{v['unit']}”不存在，请核对名称（见模板中的“科室与单位”工作表）"))
        name = v["department"]
        if name:
            if unit is not None:
                dept = self.dept_by_unit.get((unit.pk, name))
                if dept is None:
                    elsewhere = "、".join(d.unit.name for d in self.depts_by_name.get(name, []))
                    errors.append(
                        (
                            "科室",
                            f"科室“{name}”不属于单位“{unit.name}”"
                            + (f"（该科室属于：{elsewhere}）" if elsewhere else ""),
                        )
                    )
            elif not v["unit"]:
                found = self.depts_by_name.get(name, [])
                if not found:
                    errors.append(("科室", f"科室“{name}”不存在，请核对名称（见模板中的“科室与单位”工作表）"))
                elif len(found) > 1:
                    errors.append(("科室", f"多个单位都有科室“{name}”，请同时填写“单位”"))
                else:
                    dept = found[0]
        return unit, dept

    def _match(self, name: str, org: Organization, id_number: str, masked: str) -> Person | None:
        """The existing person this row describes, or None for a new person."""
        if id_number:
            existing = self.people_by_id.get(id_number)
            if existing is not None:
                if existing.name != name:
                    if self.policy.can(self.user, "view", existing):
                        message = (
                            f"该身份证号已登记在“{existing.name}”（{existing.organization.name}）名下，与本行姓名不一致"
                        )
                    else:
                        message = "该身份证号已登记在其他人员名下"
                    raise RowInvalid(message, "身份证号")
                return existing
            same = [p for p in self.people_by_key.get((name, org.pk), []) if not p.id_number]
            return same[0] if len(same) == 1 else None
        candidates = self.people_by_key.get((name, org.pk), [])
        if masked:
            found = [p for p in candidates if p.id_number and mask_id_number(p.id_number) == masked]
            if len(found) == 1:
                return found[0]
            raise RowInvalid(
                f"“{masked}”是脱敏号码，在“{org.name}”中没有与之对应的人员“{name}”。请填写完整的身份证号，或留空",
                "身份证号",
            )
        if len(candidates) > 1:
            raise RowInvalid(f"“{org.name}”中有 {len(candidates)} 名叫“{name}”的人员，请填写身份证号以区分", "身份证号")
        return candidates[0] if candidates else None

    def plan_row(self, row, v):
        errors: list[tuple[str, str]] = []
        name = v["name"]
        org = self._organization(v, errors)
        unit, dept = self._unit_department(v, errors)
        raw_id = normalize_id_number(v["id_number"])
        masked = raw_id if "*" in raw_id else ""
        id_number = ""
        if raw_id and not masked:
            try:
                id_number = validate_id_number(raw_id)
            except ValidationError as exc:
                errors.append(("身份证号", exc.messages[0]))
        if org is not None and not self.policy.can_add(self.user, org):
            errors.append(("所属党组织", f"无权导入到该党组织（{org.name}）"))
        if errors:
            raise RowInvalid(errors)

        if id_number:
            first = self.seen_ids.get(id_number)
            if first:
                raise RowInvalid(f"与第 {first} 行的身份证号重复", "身份证号")
            self.seen_ids[id_number] = row
        target = self._match(name, org, id_number, masked)
        if target is None and not id_number:
            first = self.seen_keys.get((name, org.pk))
            if first:
                raise RowInvalid(
                    f"与第 {first} 行的姓名、所属党组织相同，且都没有填写身份证号，无法区分，请填写身份证号", "身份证号"
                )
            self.seen_keys[(name, org.pk)] = row
        if target is not None:
            first = self.seen_targets.get(target.pk)
            if first:
                raise RowInvalid(f"与第 {first} 行是同一人员（{target.name}），请合并为一行", "姓名")
            self.seen_targets[target.pk] = row
            if not self.policy.can(self.user, "change", target):
                raise RowInvalid(f"该人员属于“{target.organization.name}”，您无权修改", "所属党组织")

        person = Person() if target is None else _copy(target)
        person.name = name
        person.gender = v["gender"]
        person.id_number = id_number or (target.id_number if target is not None else "")
        person.birth_date = v["birth_date"]
        person.party_status = v["party_status"]
        person.joined_party_on = v["joined_party_on"]
        person.full_member_on = v["full_member_on"]
        person.organization = org
        person.unit = unit
        person.department = dept
        for key in ("job_title", "is_leader", "is_leadership_member", "leadership_role", "phone", "notes"):
            setattr(person, key, v[key])
        if target is not None:
            # Cells are read stripped; a stored value that differs only by surrounding spaces is kept.
            for key in ("job_title", "leadership_role", "phone"):
                if getattr(target, key).strip() == v[key]:
                    setattr(person, key, getattr(target, key))
        number = person.id_number
        if number:
            from_id = birth_date_from_id(number)
            if v["birth_date"] and from_id != v["birth_date"]:
                raise RowInvalid(f"与身份证号中的出生日期（{from_id.isoformat()}）不一致", "出生日期")
            # What `prepare_person` derives from the number; the number itself is set aside while
            # it runs, because its one-query-per-row clash check is done above for the whole file
            # (`people_by_id`), and a full-table scan per row would make large imports quadratic.
            person.birth_date = from_id
            person.gender = person.gender or gender_from_id(number)
            person.id_number = ""
        try:
            services.prepare_person(person)
            person.clean_fields(exclude=["organization", "unit", "department", "deleted_by"])
        except ValidationError as exc:
            raise RowInvalid(_errors_from(exc, self.HEADERS)) from None
        finally:
            person.id_number = number

        label = f"{person.name}（{org.name}）"
        if target is None:
            shown = ("party_status", "id_number", "unit", "department", "job_title")
            changes = {
                self.HEADERS[k]: ("", _display(person, k)) for k in shown if _display(person, k) not in ("", None)
            }
            return RowPlan(row, "create", label, changes=changes, obj=person)
        changed = [
            name
            for name in services.PERSON_FIELDS
            if getattr(person, Person._meta.get_field(name).attname)
            != getattr(target, Person._meta.get_field(name).attname)
        ]
        if not changed:
            return RowPlan(row, "unchanged", label, obj=target)
        changes = {self.HEADERS[k]: (_display(target, k), _display(person, k)) for k in changed}
        return RowPlan(row, "update", label, changes=changes, obj=person, data={"fields": changed})

    # ------------------------------------------------------------------ writing

    def write(self, plans: list[RowPlan], result: ImportResult) -> None:
        actor = _actor(self.user)
        creates = [p.obj for p in plans if p.action == "create"]
        updates = [p for p in plans if p.action == "update"]
        if creates:
            bulk_create_with_history(
                creates, Person, batch_size=BATCH_SIZE, default_user=actor, default_change_reason=HISTORY_REASON
            )
        if updates:
            # bulk_update builds one CASE per column and row, so rows are grouped by the columns
            # that actually changed (usually one or two), and versions are bumped with one UPDATE
            # per batch instead of a CASE column.
            groups: dict[tuple[str, ...], list[Person]] = defaultdict(list)
            for plan in updates:
                fields = set(plan.data["fields"])
                if "name" in fields:
                    fields.update({"name_pinyin", "name_initials"})
                if "organization" in fields:
                    fields.add("org_path")
                plan.obj.version += 1
                groups[tuple(sorted(fields))].append(plan.obj)
            for fields, objs in groups.items():
                bulk_update_with_history(
                    objs,
                    Person,
                    fields=list(fields),
                    batch_size=BATCH_SIZE,
                    default_user=actor,
                    default_change_reason=HISTORY_REASON,
                )
            for chunk in _chunks([p.obj.pk for p in updates]):
                Person.all_objects.filter(pk__in=chunk).update(version=models.F("version") + 1)
        # Written in bulk, without the person services: derived copies (points rankings) follow.
        records_changed(Person, [p.pk for p in creates] + [p.obj.pk for p in updates])
        self.record_audit(result, Scope.of(self.user).home_organization if self.user is not None else None)


# ---------------------------------------------------------------------- organizations

ORG_COMPARED = (
    "name",
    "short_name",
    "org_type",
    "is_industry",
    "established_on",
    "term_start",
    "term_end",
    "has_committee",
    "has_cells",
    "fixed_theme_day",
)


class OrganizationImporter(Importer):
    """Creates and updates organizations through the organization services, parents first."""

    code = "orgs.organizations"
    label = "党组织"
    audit_action = "orgs.organization.imported"
    sheet_title = "党组织"
    noun = "个"
    fields = ORG_IMPORT_FIELDS
    notes = (
        "4. 按组织编码识别：系统中已有该编码的组织按表中内容更新，其余新增；内容完全相同的行不做任何修改。",
        "5. 上级组织须先于下级组织出现：本文件中新增的组织，可以作为后面行的上级组织。",
        "6. 党小组的上级组织应为党支部；本届届满日期应晚于本届开始日期，本届开始日期不能早于成立日期。",
    )

    HEADERS = {f.key: f.header for f in ORG_IMPORT_FIELDS} | {"parent": "上级组织编码"}

    def __init__(self, user, *, filename: str = ""):
        super().__init__(user, filename=filename)
        self.policy = policy_for(Organization)

    def reference_sheets(self):
        orgs = policy_for(Organization).visible(self.user).select_related("parent").order_by("path")
        return [
            (
                "现有党组织",
                ["组织编码", "名称", "组织类型", "上级组织编码"],
                [(o.code, o.name, o.get_org_type_display(), o.parent.code if o.parent else "") for o in orgs],
            )
        ]

    def prepare(self, rows, *, lock):
        qs = Organization.all_objects.all()
        if lock:
            qs = qs.select_for_update()
        alive, self.deleted = {}, {}
        for org in qs:
            (self.deleted if org.deleted_at else alive)[org.code] = org
        self.orgs: dict[str, Organization] = alive
        self.by_pk = {o.pk: o for o in alive.values()}
        self.existing_parent = {
            o.code: self.by_pk[o.parent_id].code if o.parent_id in self.by_pk else "" for o in alive.values()
        }
        self.row_of_code: dict[str, int] = {}
        for number, raw in rows:
            self.row_of_code.setdefault(_raw_text(raw.get("code")), number)
        self.seen: dict[str, int] = {}
        self.planned: dict[str, RowPlan] = {}

    def _effective_parent(self, code: str) -> str:
        plan = self.planned.get(code)
        return plan.data["parent_code"] if plan is not None else self.existing_parent.get(code, "")

    def plan_row(self, row, v):
        code = v["code"]
        first = self.seen.get(code)
        if first:
            raise RowInvalid(f"与第 {first} 行的组织编码“{code}”重复", "组织编码")
        self.seen[code] = row
        if code in self.deleted:
            raise RowInvalid(
                f"组织编码“{code}”已被回收站中的党组织“{self.deleted[code].name}”使用，请先恢复该组织或换用其他编码",
                "组织编码",
            )
        existing = self.orgs.get(code)
        parent_code = v["parent_code"]
        parent: Organization | None = None
        anchor: Organization | None = None  # the nearest existing organization above this row
        if parent_code:
            if parent_code == code:
                raise RowInvalid("上级组织不能是本组织", "上级组织编码")
            if parent_code in self.planned:
                parent_plan = self.planned[parent_code]
                parent = parent_plan.obj
                anchor = parent_plan.data["anchor"] if parent_plan.action == "create" else self.orgs[parent_code]
            elif parent_code in self.orgs:
                parent = anchor = self.orgs[parent_code]
            elif self.row_of_code.get(parent_code, 0) > row:
                raise RowInvalid(
                    f"上级组织“{parent_code}”在本文件第 {self.row_of_code[parent_code]} 行，请把上级组织放在下级组织之前",
                    "上级组织编码",
                )
            elif parent_code in self.row_of_code:
                raise RowInvalid(
                    f"上级组织“{parent_code}”（第 {self.row_of_code[parent_code]} 行）有误，请先改正该行",
                    "上级组织编码",
                )
            else:
                raise RowInvalid(f"上级组织编码“{parent_code}”不存在", "上级组织编码")
        elif existing is not None and existing.parent_id:
            current = self.by_pk.get(existing.parent_id)
            raise RowInvalid(
                f"未填写上级组织编码（该组织目前的上级组织是“{current.name if current else ''}”）；如需调整，请填写新的上级组织编码",
                "上级组织编码",
            )

        parent_changed = existing is None or (parent.pk if parent is not None else None) != existing.parent_id
        if existing is not None:
            if not self.policy.can(self.user, "change", existing):
                raise RowInvalid("您无权修改该党组织", "组织编码")
            if parent_changed:
                seen, cursor = set(), parent_code
                while cursor and cursor not in seen:
                    if cursor == code:
                        raise RowInvalid("上级组织不能是本组织的下级组织", "上级组织编码")
                    seen.add(cursor)
                    cursor = self._effective_parent(cursor)
        if parent_changed and not self.policy.can_add(self.user, anchor):
            raise RowInvalid(
                "您无权新建顶级党组织" if anchor is None else f"您无权在“{anchor.name}”下导入党组织", "上级组织编码"
            )

        org = Organization() if existing is None else _copy(existing)
        org.code = code
        for key in ORG_COMPARED:
            setattr(org, key, v[key])
        org.parent = parent
        try:
            services.validate_organization(org)
            org.clean_fields(exclude=["parent", "path", "depth", "deleted_by", "name_initials", "code"])
        except ValidationError as exc:
            raise RowInvalid(_errors_from(exc, self.HEADERS)) from None

        data = {"parent_code": parent_code, "anchor": anchor}
        if existing is None:
            plan = RowPlan(
                row,
                "create",
                f"{org.name}（{code}）",
                changes={"组织类型": ("", org.get_org_type_display()), "上级组织编码": ("", parent_code)},
                obj=org,
                data=data,
            )
        else:
            changed = [k for k in ORG_COMPARED if getattr(org, k) != getattr(existing, k)]
            changes = {self.HEADERS[k]: (_display(existing, k), _display(org, k)) for k in changed}
            if parent_changed:
                changed.append("parent")
                changes["上级组织编码"] = (self.existing_parent.get(code, ""), parent_code)
            data["fields"] = changed
            plan = RowPlan(row, "update" if changed else "unchanged", f"{org.name}（{code}）", changes, org, data)
        self.planned[code] = plan
        return plan

    def write(self, plans: list[RowPlan], result: ImportResult) -> None:
        created: dict[str, int] = {}

        def parent_for(code: str) -> Organization | None:
            if not code:
                return None
            pk = created.get(code) or self.orgs[code].pk
            return Organization.objects.get(pk=pk)  # fresh: earlier rows may have moved its path

        for plan in plans:
            if plan.action == "unchanged":
                continue
            values = {k: getattr(plan.obj, k) for k in ORG_COMPARED}
            try:
                parent = parent_for(plan.data["parent_code"])
                if plan.action == "create":
                    org = services.organization_create(
                        actor=self.user, data={**values, "code": plan.obj.code, "parent": parent}
                    )
                    created[org.code] = org.pk
                else:
                    data = {k: values[k] for k in plan.data["fields"] if k != "parent"}
                    if "parent" in plan.data["fields"]:
                        data["parent"] = parent
                    services.organization_update(
                        actor=self.user, org=Organization.objects.get(pk=plan.obj.pk), data=data
                    )
            except (ValidationError, KeyError, Organization.DoesNotExist) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else ["上级组织未能导入"]
                result.errors.append(RowError(plan.row, "", "；".join(messages)))
        if result.errors:
            return
        self.record_audit(result, Scope.of(self.user).home_organization if self.user is not None else None)


def person_export_values(person: Person, id_number: str) -> list[Any]:
    """One exported row, in the order of PERSON_IMPORT_FIELDS (used by orgs.exporters)."""
    return [
        person.name,
        person.get_gender_display() if person.gender else "",
        id_number,
        person.birth_date,
        person.get_party_status_display(),
        person.joined_party_on,
        person.full_member_on,
        person.organization.name,
        person.organization.code,
        person.unit.name if person.unit_id else "",
        person.department.name if person.department_id else "",
        person.job_title,
        person.is_leader,
        person.is_leadership_member,
        person.leadership_role,
        person.phone,
        person.notes,
    ]


def organization_export_values(org: Organization) -> list[Any]:
    """One exported row, in the order of ORG_IMPORT_FIELDS."""
    return [
        org.code,
        org.name,
        org.short_name,
        org.get_org_type_display(),
        org.parent.code if org.parent_id else "",
        org.is_industry,
        org.established_on,
        org.term_start,
        org.term_end,
        org.has_committee,
        org.has_cells,
        org.fixed_theme_day,
    ]
