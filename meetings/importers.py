"""Excel import of historical meetings with their attendance (see core.importers).

The template has two data sheets: "会议" (one row per meeting, keyed by a 会议编号 the user
chooses, unique within the file) and "出勤" (one row per person and meeting: 会议编号, 姓名,
身份证号, 出勤, 原因). Every row of both sheets is checked before anything is written; one error
anywhere and nothing is imported. Errors name their sheet, row and column.

A meeting that is already recorded (same organization, type, date and topic) with the same
attendance is "unchanged" — so an exported ledger imported again changes nothing; with a
different attendance list it is an error (edit the meeting on its page instead).

Writes: each new meeting goes through `meetings.services.meeting_create` — the rules of the
meeting form (专题类别, 授课人, dates, quorum and the derived counts) apply, and each meeting
gets its own audit entry "登记会议" — plus one ``meetings.meeting.imported`` entry for the whole
import with its counts and the file name. Historical imports are a few hundred meetings at a
time; the per-meeting service keeps every meeting's history complete.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError

from core import audit
from core.audit import mask_id_number
from core.exporters import unneutralise
from core.importers import (
    FieldError,
    ImportField,
    ImportResult,
    RowInvalid,
    RowPlan,
    SheetRowError,
    TwoSheetImporter,
    _is_blank,
)
from core.scope import Scope, policy_for
from meetings import services
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind, TopicSubtype
from orgs.importers import OrganizationColumnsMixin
from orgs.models import Organization, Person
from orgs.validators import normalize_id_number

audit.register_action("meetings.meeting.imported", "导入会议")

F = ImportField
MEETING_SHEET = "会议"
ATTENDANCE_SHEET = "出勤"
BATCH = 500

MEETING_IMPORT_FIELDS: tuple[ImportField, ...] = (
    F(
        "number",
        "会议编号",
        required=True,
        max_length=40,
        width=10,
        help="本文件内会议的编号，自行编排（如 1、2、3 或 HY-001），不能重复；“出勤”工作表按此编号对应会议",
        example="1",
    ),
    F(
        "organization",
        "党组织",
        max_length=100,
        width=20,
        help="召开会议的党组织全称（见“可导入的党组织”工作表）；与“党组织编码”至少填写一项。"
        "党组会议、中心组学习、专题会议、民主生活会等登记在机关党委",
        example="机关第一党支部",
    ),
    F("organization_code", "党组织编码", max_length=40, width=12, help="填写后以编码为准", example="DEMO-B01"),
    F("kind", "类型", kind="choice", required=True, choices=MeetingKind.choices, width=14, example="支委会"),
    F(
        "subtype",
        "专题类别",
        max_length=50,
        width=12,
        help="专题会议必填，其他类型不填（见“会议类型与专题类别”工作表）",
        example="",
    ),
    F("held_on", "日期", kind="date", required=True, past_only=True, width=12, example="2022-05-20"),
    F("start_time", "开始时间", max_length=8, width=9, help="如 09:00", example="09:00"),
    F("end_time", "结束时间", max_length=8, width=9, help="如 11:30，应晚于开始时间", example="11:30"),
    F("place", "地点", max_length=100, width=14, example="支部活动室"),
    F("host", "主持人", max_length=50, width=9, help="人员姓名", example="张三"),
    F(
        "lecturer",
        "授课人",
        max_length=50,
        width=9,
        help="党课必填：授课人姓名（任何党员都可以讲党课）",
        example="",
    ),
    F("topic", "主题", required=True, max_length=200, width=30, example="研究本月支部工作安排"),
    F("content", "学习内容", width=24, strip=False, example=""),
    F("participant_scope", "参会范围", max_length=200, width=16, help="如：班子成员、馆团负责人", example=""),
    F("minutes", "会议记录", width=24, strip=False, example=""),
    F("decisions", "议定事项", width=24, strip=False, example=""),
)

ATTENDANCE_IMPORT_FIELDS: tuple[ImportField, ...] = (
    F("number", "会议编号", required=True, max_length=40, width=10, help="“会议”工作表中的会议编号", example="1"),
    F("name", "姓名", required=True, max_length=50, width=10, example="张三"),
    F(
        "id_number",
        "身份证号",
        text_only=True,
        width=21,
        help="同一党组织中有同名人员时填写；可填脱敏号码（含 *）。请把该列设置为文本格式",
        example="",
    ),
    F("status", "出勤", kind="choice", required=True, choices=AttendanceStatus.choices, width=8, example="出席"),
    F("reason", "原因", max_length=200, width=20, help="请假必须填写原因", example=""),
)

# Columns of the exported ledgers that are derived or shown for reading; the import ignores them.
MEETING_EXPORT_ONLY = ("应到", "实到", "请假", "缺席", "是否达到法定人数")
ATTENDANCE_EXPORT_ONLY = ("日期", "党组织", "类型", "主题")

_TIME_RE = re.compile(r"^(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*分?(?:[:：](\d{1,2}))?$")


def parse_time(raw: Any) -> datetime.time | None:
    """09:00, 9:00:00, 9点30, a time cell, or a fraction of a day (a time cell without its format)."""
    if _is_blank(raw):
        return None
    if isinstance(raw, datetime.datetime):
        return raw.time().replace(microsecond=0)
    if isinstance(raw, datetime.time):
        return raw.replace(microsecond=0)
    text = str(raw).strip()
    try:
        fraction = float(text)
    except ValueError:
        fraction = None
    if fraction is not None and 0 <= fraction < 1:
        seconds = round(fraction * 86400)
        return datetime.time(seconds // 3600, seconds // 60 % 60)
    match = _TIME_RE.match(text)
    if match:
        hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return datetime.time(hour, minute, second)
    raise FieldError(f"“{text}”不是有效的时间，请按 09:00 的格式填写")


def _chunks(values: Iterable[Any], size: int = BATCH):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


class MeetingImporter(OrganizationColumnsMixin, TwoSheetImporter):
    code = "meetings.meetings"
    label = "会议"
    audit_action = "meetings.meeting.imported"
    sheet_title = MEETING_SHEET
    noun = "次"
    fields = MEETING_IMPORT_FIELDS
    attendance_fields = ATTENDANCE_IMPORT_FIELDS
    child_sheet = ATTENDANCE_SHEET
    key_header = "会议编号"
    main_export_only = MEETING_EXPORT_ONLY
    child_export_only = ATTENDANCE_EXPORT_ONLY
    main_row_hint = "，每行一次会议"
    notes = (
        "4. 本模板有两个工作表：“会议”每行一次会议，“出勤”每行一人次。两表以“会议编号”对应；编号只在本文件内使用，不会保存。",
        "5. 出勤人员须属于召开会议的党组织或其下级组织；按姓名识别，同名时请填写身份证号（可为脱敏号码）。"
        "同一会议中同一人员只能出现一次；请假须填写原因。不填出勤的会议只登记会议本身。",
        "6. 会议日期不能晚于今天；专题会议须填写专题类别，党课须填写授课人。法定人数和应到、实到人数由系统根据出勤自动计算。",
        "7. 系统中已登记的会议（党组织、类型、日期、主题均相同）且出勤相同的，视为无变化，不重复登记；因此导出的会议台账可以直接再次导入。",
        "8. 只能导入到您有权登记会议的党组织（见“可导入的党组织”工作表）。",
    )

    MEETING_HEADERS = {f.key: f.header for f in MEETING_IMPORT_FIELDS} | {"attendance": "出勤"}

    def __init__(self, user, *, filename: str = ""):
        super().__init__(user, filename=filename)
        self.policy = policy_for(Meeting)

    # ------------------------------------------------------------------ template

    def writable_organizations(self):
        q = Scope.of(self.user).org_q("path", self.policy.roles_for("add"))
        qs = Organization.objects.all() if q is None else Organization.objects.filter(q)
        return qs.order_by("path")

    def reference_sheets(self):
        subtypes = TopicSubtype.objects.all()
        kinds = [(label, "") for _, label in MeetingKind.choices]
        kinds += [("专题会议", s.name) for s in subtypes]
        return [
            (
                "可导入的党组织",
                ["党组织编码", "党组织名称", "组织类型"],
                [(o.code, o.name, o.get_org_type_display()) for o in self.writable_organizations()],
            ),
            ("会议类型与专题类别", ["类型", "专题类别"], kinds),
        ]

    def general_notes(self) -> list[str]:
        return [
            "1. 在“会议”“出勤”两个工作表第 2 行起逐行填写；请勿修改、删除或调换第 1 行表头。",
            "2. 红色表头为必填列；日期请填写为 2022-06-30 格式，时间填写为 09:00 格式。",
            "3. 导入前系统会逐行校验两个工作表：只要有一行有误，就不会导入任何数据，并列出每个错误所在的工作表、行号和原因。",
            *self.notes,
        ]

    def child_sheet_fields(self) -> Sequence[ImportField]:
        return self.attendance_fields

    def prepare(self, rows, *, lock):
        self.load_organizations()
        self.subtypes: dict[str, TopicSubtype] = {}
        for s in TopicSubtype.objects.all():
            for name in (s.name, s.report_name, s.code):
                if name:
                    self.subtypes.setdefault(name, s)
        names, ids = set(), set()
        for _, raw in rows:
            for key in ("host", "lecturer"):
                if not _is_blank(raw.get(key)):
                    names.add(unneutralise(str(raw[key])).strip())
        for entries in self.children.values():
            for _, v in entries:
                names.add(v["name"])
                number = normalize_id_number(v["id_number"] or "")
                if number and "*" not in number:
                    ids.add(number)
        people: dict[int, Person] = {}
        for chunk in _chunks(sorted(names)):
            people.update((p.pk, p) for p in Person.objects.filter(name__in=chunk))
        for chunk in _chunks(sorted(ids)):
            people.update((p.pk, p) for p in Person.objects.filter(id_number__in=chunk))
        self.people_by_name: dict[str, list[Person]] = defaultdict(list)
        self.people_by_id: dict[str, Person] = {}
        for p in sorted(people.values(), key=lambda p: p.pk):
            self.people_by_name[p.name].append(p)
            if p.id_number:
                self.people_by_id[p.id_number] = p
        # Meetings already recorded with the same topics (for "unchanged").
        topics = {unneutralise(str(raw["topic"])).strip() for _, raw in rows if not _is_blank(raw.get("topic"))}
        self.existing: dict[tuple, Meeting] = {}
        for chunk in _chunks(sorted(topics)):
            for m in Meeting.objects.filter(topic__in=chunk):
                self.existing.setdefault((m.organization_id, m.kind, m.held_on, m.topic), m)
        self.existing_attendance: dict[int, set[tuple[int, str, str]]] = defaultdict(set)
        for chunk in _chunks([m.pk for m in self.existing.values()]):
            for a in Attendance.objects.filter(meeting_id__in=chunk).values_list(
                "meeting_id", "person_id", "status", "reason"
            ):
                self.existing_attendance[a[0]].add(a[1:])
        self.seen_numbers: dict[str, int] = {}
        self.seen_keys: dict[tuple, int] = {}

    def _named_person(self, name: str, org: Organization, header: str, errors) -> Person | None:
        """主持人/授课人 by name: in the organization's subtree first, else anywhere (a 党组成员 may
        lecture a branch)."""
        if not name:
            return None
        candidates = self.people_by_name.get(name, [])
        inside = [p for p in candidates if p.org_path.startswith(org.path)]
        found = inside or candidates
        if not found:
            errors.append((header, f"人员“{name}”不存在，请核对姓名"))
            return None
        if len(found) > 1:
            errors.append((header, f"有 {len(found)} 名叫“{name}”的人员，无法确定是哪一位，请在系统中登记该会议"))
            return None
        return found[0]

    def _attendee(self, v: dict[str, Any], org: Organization) -> Person:
        """The person an 出勤 row names, in the meeting organization's subtree; raises RowInvalid."""
        name = v["name"]
        raw_id = normalize_id_number(v["id_number"] or "")
        outside = f"“{name}”不是“{org.name}”及其下级党组织的人员"
        if raw_id and "*" not in raw_id:
            person = self.people_by_id.get(raw_id)
            if person is None:
                raise RowInvalid("系统中没有该身份证号的人员", "身份证号")
            if person.name != name:
                raise RowInvalid(f"该身份证号登记的人员不是“{name}”，请核对", "身份证号")
            if not person.org_path.startswith(org.path):
                raise RowInvalid(outside, "姓名")
            return person
        candidates = self.people_by_name.get(name, [])
        inside = [p for p in candidates if p.org_path.startswith(org.path)]
        if raw_id:
            inside = [p for p in inside if p.id_number and mask_id_number(p.id_number) == raw_id]
            if len(inside) != 1:
                raise RowInvalid(f"“{org.name}”及其下级党组织中没有与脱敏号码“{raw_id}”对应的“{name}”", "身份证号")
            return inside[0]
        if not inside:
            raise RowInvalid(outside if candidates else f"人员“{name}”不存在，请核对姓名", "姓名")
        if len(inside) > 1:
            raise RowInvalid(f"“{org.name}”中有 {len(inside)} 名叫“{name}”的人员，请填写身份证号以区分", "身份证号")
        return inside[0]

    def _attendance_rows(self, number: str, org: Organization | None) -> list[services.AttendanceRow] | None:
        """The meeting's attendance, or None when any of its 出勤 rows is invalid (errors recorded)."""
        rows: list[services.AttendanceRow] = []
        first_row: dict[int, int] = {}
        ok = True
        for row, v in self.children.get(number, []):
            if org is None:
                return None
            try:
                person = self._attendee(v, org)
                if person.pk in first_row:
                    raise RowInvalid(
                        f"与第 {first_row[person.pk]} 行重复：同一会议中“{person.name}”只能登记一次", "姓名"
                    )
                first_row[person.pk] = row
                if v["status"] == AttendanceStatus.LEAVE and not v["reason"]:
                    raise RowInvalid("请假须填写原因", "原因")
            except RowInvalid as exc:
                self.child_errors.extend(SheetRowError(row, c, m, sheet=ATTENDANCE_SHEET) for c, m in exc.errors)
                ok = False
                continue
            rows.append(services.AttendanceRow(person, v["status"], v["reason"]))
        return rows if ok else None

    def plan_row(self, row, v):
        errors: list[tuple[str, str]] = []
        number = v["number"]
        # The 出勤 rows are checked with the first meeting of that number only.
        self.claim_number(number, row)
        org = self._organization(v, errors)
        if org is not None and not self.policy.can_add(self.user, org):
            errors.append(("党组织", f"您无权为“{org.name}”登记会议"))
            org = None
        subtype = None
        if v["subtype"]:
            subtype = self.subtypes.get(v["subtype"])
            if subtype is None:
                names = "、".join(sorted({s.name for s in self.subtypes.values()}))
                errors.append(("专题类别", f"专题类别“{v['subtype']}”不存在，可选：{names}"))
        times = {}
        for key in ("start_time", "end_time"):
            try:
                times[key] = parse_time(v[key])
            except FieldError as exc:
                errors.append((self.MEETING_HEADERS[key], str(exc)))
        host = lecturer = None
        if org is not None:
            host = self._named_person(v["host"], org, "主持人", errors)
            lecturer = self._named_person(v["lecturer"], org, "授课人", errors)
        attendance = self._attendance_rows(number, org)
        if errors:
            raise RowInvalid(errors)
        if attendance is None:
            raise RowInvalid("该会议的出勤记录有误（见“出勤”工作表中的错误）", "会议编号")

        data = {
            "organization": org,
            "kind": v["kind"],
            "subtype": subtype,
            "held_on": v["held_on"],
            "start_time": times.get("start_time"),
            "end_time": times.get("end_time"),
            "place": v["place"],
            "host": host,
            "lecturer": lecturer,
            "topic": v["topic"],
            "content": v["content"],
            "participant_scope": v["participant_scope"],
            "minutes": v["minutes"],
            "decisions": v["decisions"],
        }
        meeting = Meeting(**data)
        try:
            services.validate_meeting(meeting, attendance)
        except ValidationError as exc:
            raise RowInvalid(
                [(self.MEETING_HEADERS.get(k, ""), m) for k, ms in exc.message_dict.items() for m in ms]
            ) from None

        key = (org.pk, v["kind"], v["held_on"], v["topic"])
        if key in self.seen_keys:
            raise RowInvalid(f"与第 {self.seen_keys[key]} 行是同一会议（党组织、类型、日期、主题相同）", "主题")
        self.seen_keys[key] = row
        label = f"{v['held_on'].isoformat()} {meeting.get_kind_display()}：{v['topic']}（{org.name}）"
        services._counts(meeting, attendance)
        summary = services._attendance_summary(meeting)
        existing = self.existing.get(key)
        if existing is not None:
            same = self.existing_attendance.get(existing.pk, set()) == {
                (r.person.pk, r.status, r.reason.strip()) for r in attendance
            }
            if not same:
                raise RowInvalid(
                    "系统中已登记了该会议（党组织、类型、日期、主题相同），但出勤名单不同；如需修改，请在会议页面中修改",
                    "主题",
                )
            return RowPlan(row, "unchanged", label, obj=existing)
        changes = {"类型": ("", meeting.kind_label), "出勤": ("", summary)}
        if meeting.quorum_met is False:
            changes["法定人数"] = ("", "未达到法定人数")
        return RowPlan(row, "create", label, changes=changes, data={"data": data, "attendance": attendance})

    # ------------------------------------------------------------------ writing

    def write(self, plans: list[RowPlan], result: ImportResult) -> None:
        for plan in plans:
            if plan.action != "create":
                continue
            try:
                plan.obj = services.meeting_create(
                    actor=self.user, data=plan.data["data"], attendance=plan.data["attendance"]
                )
            except ValidationError as exc:
                result.errors.append(SheetRowError(plan.row, "", "；".join(exc.messages), sheet=MEETING_SHEET))
        if result.errors:
            return
        self.record_audit(result, Scope.of(self.user).home_organization if self.user is not None else None)


def meeting_export_values(meeting: Meeting) -> list[Any]:
    """One exported meeting row: the import columns (MEETING_IMPORT_FIELDS) then MEETING_EXPORT_ONLY."""
    return [
        str(meeting.pk),
        meeting.organization.name,
        meeting.organization.code,
        meeting.get_kind_display(),
        meeting.subtype.name if meeting.subtype_id else "",
        meeting.held_on,
        meeting.start_time.strftime("%H:%M") if meeting.start_time else "",
        meeting.end_time.strftime("%H:%M") if meeting.end_time else "",
        meeting.place,
        meeting.host.name if meeting.host_id else "",
        meeting.lecturer.name if meeting.lecturer_id else "",
        meeting.topic,
        meeting.content,
        meeting.participant_scope,
        meeting.minutes,
        meeting.decisions,
        meeting.expected_count,
        meeting.present_count,
        meeting.leave_count,
        meeting.absent_count,
        "" if meeting.quorum_met is None else meeting.quorum_met,
    ]
