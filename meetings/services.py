"""Every write for organizational life. One audit entry per service call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.concurrency import check_version
from core.events import record_changed
from core.rules import rule
from core.services import restore, soft_delete
from meetings import obligation_store
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from meetings.selectors import committee_members, voting_members
from orgs.models import Person

A = audit.register_action
A("meetings.meeting.created", "登记会议")
A("meetings.meeting.updated", "修改会议")
A("meetings.meeting.deleted", "删除会议（移入回收站）")

MEETING_FIELDS = [
    "organization",
    "kind",
    "subtype",
    "held_on",
    "start_time",
    "end_time",
    "place",
    "host",
    "lecturer",
    "topic",
    "content",
    "participant_scope",
    "minutes",
    "decisions",
]


@dataclass
class AttendanceRow:
    person: Person
    status: str
    reason: str = ""


def validate_meeting(meeting: Meeting, rows: list[AttendanceRow]) -> None:
    errors: dict[str, str] = {}
    if meeting.kind == MeetingKind.TOPIC and meeting.subtype_id is None:
        errors["subtype"] = "专题会议须选择专题类别（如党建工作、党风廉政建设）"
    if meeting.kind != MeetingKind.TOPIC and meeting.subtype_id is not None:
        errors["subtype"] = "只有专题会议需要选择专题类别"
    if meeting.kind == MeetingKind.LECTURE and meeting.lecturer_id is None:
        errors["lecturer"] = "党课须填写授课人（任何党员都可以讲党课）"
    if meeting.held_on and meeting.held_on > timezone.localdate():
        errors["held_on"] = "会议日期不能晚于今天；尚未召开的会议请列入年度组织生活计划"
    if meeting.start_time and meeting.end_time and meeting.end_time <= meeting.start_time:
        errors["end_time"] = "结束时间应晚于开始时间"
    if meeting.kind == MeetingKind.BRANCH_COMMITTEE and not meeting.organization.has_committee:
        errors["kind"] = "该党组织未设立支部委员会，不召开支委会"
    if meeting.kind == MeetingKind.CELL and meeting.organization.org_type != "cell":
        errors["organization"] = "党小组会应登记在党小组下"
    seen: set[int] = set()
    for row in rows:
        if row.person.pk in seen:
            errors["attendance"] = f"“{row.person.name}”在出勤名单中重复"
        seen.add(row.person.pk)
        if row.status not in AttendanceStatus.values:
            errors["attendance"] = f"“{row.person.name}”的出勤状态无效"
        if row.status == AttendanceStatus.LEAVE and not row.reason.strip():
            errors["attendance"] = f"“{row.person.name}”请假须填写原因"
    if meeting.kind == MeetingKind.HEART_TALK and len(rows) < 2:
        errors["attendance"] = "谈心谈话须登记谈话双方（至少2人）"
    if errors:
        raise ValidationError(errors)


def quorum(meeting: Meeting, rows: list[AttendanceRow]) -> tuple[bool | None, str]:
    """(met, explanation) where the rules require a quorum; (None, "") where they don't."""
    present = {r.person.pk for r in rows if r.status == AttendanceStatus.PRESENT}
    year = meeting.held_on.year
    if meeting.kind == MeetingKind.BRANCH_GENERAL:
        voters = set(voting_members(meeting.organization).values_list("pk", flat=True))
        if not voters:
            return None, "未登记有表决权的正式党员，无法核对法定人数"
        share = float(rule("meeting.quorum.branch_general_meeting", year, default=0.5))
        came = len(present & voters)
        met = bool(voters) and came > share * len(voters)
        return met, f"有表决权的正式党员{len(voters)}人，到会{came}人（须超过半数）"
    if meeting.kind == MeetingKind.BRANCH_COMMITTEE:
        members = set(committee_members(meeting.organization, meeting.held_on).values_list("pk", flat=True))
        if not members:
            # e.g. a historical meeting from before the posts recorded in the system
            return None, "未登记会议当日在任的支部委员，无法核对法定人数"
        share = float(rule("meeting.quorum.branch_committee_meeting", year, default=0.5))
        came = len(present & members)
        met = bool(members) and came > share * len(members)
        return met, f"支部委员{len(members)}人，到会{came}人（须超过半数）"
    return None, ""


def _apply_attendance(meeting: Meeting, rows: list[AttendanceRow]) -> None:
    Attendance.objects.filter(meeting=meeting).delete()
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, person=r.person, status=r.status, reason=r.reason.strip()) for r in rows]
    )


def _counts(meeting: Meeting, rows: list[AttendanceRow]) -> None:
    meeting.expected_count = len(rows)
    meeting.present_count = sum(r.status == AttendanceStatus.PRESENT for r in rows)
    meeting.leave_count = sum(r.status == AttendanceStatus.LEAVE for r in rows)
    meeting.absent_count = sum(r.status == AttendanceStatus.ABSENT for r in rows)
    meeting.quorum_met = quorum(meeting, rows)[0]


def _attendance_summary(meeting: Meeting) -> str:
    return f"应到{meeting.expected_count}人，实到{meeting.present_count}人，请假{meeting.leave_count}人，缺席{meeting.absent_count}人"


def meeting_create(*, actor, data: dict[str, Any], attendance: Iterable[AttendanceRow] = ()) -> Meeting:
    rows = list(attendance)
    meeting = Meeting(**data)
    meeting.created_by = actor if getattr(actor, "pk", None) else None
    validate_meeting(meeting, rows)
    meeting.org_path = meeting.organization.path
    _counts(meeting, rows)
    with transaction.atomic():
        meeting.full_clean(exclude=["org_path"])
        meeting.save()
        _apply_attendance(meeting, rows)
        changes = audit.diff({}, audit.snapshot(meeting, MEETING_FIELDS))
        changes["attendance"] = [None, _attendance_summary(meeting)]
        audit.record(
            actor=actor,
            action="meetings.meeting.created",
            obj=meeting,
            organization=meeting.organization,
            changes=changes,
        )
        record_changed(meeting)
    return meeting


def meeting_update(
    *,
    actor,
    meeting: Meeting,
    data: dict[str, Any],
    attendance: Iterable[AttendanceRow] | None = None,
    expected_version: int | None = None,
) -> Meeting:
    with transaction.atomic():
        locked = Meeting.all_objects.select_for_update().get(pk=meeting.pk)
        check_version(locked, expected_version)
        before = audit.snapshot(locked, MEETING_FIELDS)
        came_from = (locked.organization, locked.held_on)
        before_summary = _attendance_summary(locked)
        for key, value in data.items():
            setattr(locked, key, value)
        if attendance is None:
            rows = [AttendanceRow(a.person, a.status, a.reason) for a in locked.attendance.select_related("person")]
        else:
            rows = list(attendance)
        validate_meeting(locked, rows)
        locked.org_path = locked.organization.path
        _counts(locked, rows)
        changes = audit.diff(before, audit.snapshot(locked, MEETING_FIELDS))
        summary = _attendance_summary(locked)
        if summary != before_summary or attendance is not None and _attendance_changed(locked, rows):
            changes["attendance"] = [before_summary, summary]
        if not changes:
            return locked
        locked.full_clean(exclude=["org_path"])
        locked.version += 1
        changes["version"] = [locked.version - 1, locked.version]
        derived = ["org_path", "expected_count", "present_count", "leave_count", "absent_count", "quorum_met"]
        locked.save(update_fields=[*data.keys(), *derived, "version"])
        if attendance is not None:
            _apply_attendance(locked, rows)
        audit.record(
            actor=actor,
            action="meetings.meeting.updated",
            obj=locked,
            organization=locked.organization,
            changes=changes,
        )
        record_changed(locked)
        if came_from != (locked.organization, locked.held_on):
            obligation_store.meeting_changed(locked, previous=came_from)
    return locked


def _attendance_changed(meeting: Meeting, rows: list[AttendanceRow]) -> bool:
    old = {(a.person_id, a.status, a.reason) for a in meeting.attendance.all()}
    new = {(r.person.pk, r.status, r.reason.strip()) for r in rows}
    return old != new


A("meetings.meeting.responds_to_set", "关联响应事项")


def meeting_set_responds_to(*, actor, meeting: Meeting, target=None, action: str = "meetings.meeting.responds_to_set"):
    """Record that a meeting answers `target` (e.g. an inspection's feedback), or clear the link.

    Writes only the meeting's `responds_to` and one audit entry; an area may name its own action."""
    from django.contrib.contenttypes.models import ContentType

    with transaction.atomic():
        locked = Meeting.all_objects.select_for_update().get(pk=meeting.pk)
        ct = ContentType.objects.get_for_model(target) if target is not None else None
        new_id = str(target.pk) if target is not None else ""
        if locked.responds_to_type_id == (ct.pk if ct else None) and locked.responds_to_id == new_id:
            return locked
        old = locked.responds_to if locked.responds_to_type_id else None
        locked.responds_to_type = ct
        locked.responds_to_id = new_id
        locked.version += 1
        locked.save(update_fields=["responds_to_type", "responds_to_id", "version"])
        audit.record(
            actor=actor,
            action=action,
            obj=locked,
            organization=locked.organization,
            changes={
                "responds_to": [str(old) if old else None, str(target) if target is not None else None],
                "version": [locked.version - 1, locked.version],
            },
        )
    return locked


def meeting_delete(*, actor, meeting: Meeting) -> Meeting:
    return soft_delete(actor=actor, instance=meeting, action="meetings.meeting.deleted")


def meeting_restore(*, actor, meeting: Meeting) -> Meeting:
    return restore(actor=actor, instance=meeting)
