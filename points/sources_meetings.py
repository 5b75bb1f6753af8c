"""Organizational life as a point source.

- Attendance at a meeting whose kind is listed in `points.attendance_kinds` (三会一课 and 组织生活):
  present → `points.attend_meeting`; absent without leave → `points.unexcused_absence`; on leave → nothing.
- The lecturer of a 党课 → `points.lecture_given` (any member may give one: 普通党员讲党课), on top of
  the attendance points when they are also on the attendance list.

Decided here: a separate `points.lecture_given` rule rather than `points.micro_lecture` — a 党课
recorded in the meeting ledger is a full 党课 of the organization; 微党课 (short talks, contests)
and 外出授课 have no records in the system yet and stay rules for manual entries until an area
registers a source for them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Concat
from django.urls import reverse

from core.rules import rule
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from points.sources import Derived, register_point_source

ATTEND = "points.attend_meeting"
ABSENT = "points.unexcused_absence"
LECTURE = "points.lecture_given"
KINDS_RULE = "points.attendance_kinds"
LABELS = dict(MeetingKind.choices)


def _kinds(year: int) -> set[str]:
    return set(rule(KINDS_RULE, year, default=[]))


def _attendance(person_id: int, status: str, held_on: datetime.date, kind: str, topic: str, meeting_id: int):
    label = LABELS.get(kind, kind)
    if status == AttendanceStatus.PRESENT:
        return Derived(person_id, ATTEND, held_on, f"出席{label}：{topic}", object_id=meeting_id)
    return Derived(person_id, ABSENT, held_on, f"无故缺席{label}：{topic}", object_id=meeting_id)


def _lecture(lecturer_id: int, held_on: datetime.date, topic: str, meeting_id: int) -> Derived:
    return Derived(lecturer_id, LECTURE, held_on, f"讲党课：{topic}", object_id=meeting_id)


COUNTED = (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT)


def derive_for_record(meeting: Meeting) -> list[Derived]:
    found: list[Derived] = []
    if meeting.kind in _kinds(meeting.held_on.year):
        rows = Attendance.objects.filter(meeting_id=meeting.pk, status__in=COUNTED).values_list("person_id", "status")
        found += [_attendance(pk, st, meeting.held_on, meeting.kind, meeting.topic, meeting.pk) for pk, st in rows]
    if meeting.kind == MeetingKind.LECTURE and meeting.lecturer_id:
        found.append(_lecture(meeting.lecturer_id, meeting.held_on, meeting.topic, meeting.pk))
    return found


def derive_year(year: int) -> Iterator[Derived]:
    """Every attendance and lecture of the year, streamed (two queries)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    rows = (
        Attendance.objects.filter(
            meeting__held_on__gte=start,
            meeting__held_on__lte=end,
            meeting__deleted_at__isnull=True,
            meeting__kind__in=sorted(_kinds(year)),
            status__in=COUNTED,
        )
        .values_list("person_id", "status", "meeting__held_on", "meeting__kind", "meeting__topic", "meeting_id")
        .order_by()
    )
    for pk, status, held_on, kind, topic, meeting_id in rows.iterator(chunk_size=5000):
        yield _attendance(pk, status, held_on, kind, topic, meeting_id)
    lectures = (
        Meeting.objects.filter(
            held_on__gte=start, held_on__lte=end, kind=MeetingKind.LECTURE, lecturer_id__isnull=False
        )
        .values_list("lecturer_id", "held_on", "topic", "pk")
        .order_by()
    )
    for lecturer_id, held_on, topic, pk in lectures.iterator(chunk_size=5000):
        yield _lecture(lecturer_id, held_on, topic, pk)


def _year_filter(prefix: str, year: int) -> dict:
    return {f"{prefix}held_on__gte": datetime.date(year, 1, 1), f"{prefix}held_on__lte": datetime.date(year, 12, 31)}


def derive_year_rows(year: int) -> list:
    """The same items as derive_year, as two annotated querysets (set-based recomputation).
    The descriptions are built by the database exactly as _attendance/_lecture build them."""
    kinds = sorted(_kinds(year))
    label = Case(*[When(meeting__kind=k, then=Value(LABELS.get(k, k))) for k in kinds], default=Value(""))
    present = Q(status=AttendanceStatus.PRESENT)
    attendance = Attendance.objects.filter(
        **_year_filter("meeting__", year),
        meeting__deleted_at__isnull=True,
        meeting__kind__in=kinds,
        status__in=COUNTED,
    ).annotate(
        pe_person=F("person_id"),
        pe_person_status=F("person__party_status"),
        pe_person_path=F("person__org_path"),
        pe_date=F("meeting__held_on"),
        pe_rule=Case(When(present, then=Value(ATTEND)), default=Value(ABSENT), output_field=CharField()),
        pe_description=Concat(
            Case(When(present, then=Value("出席")), default=Value("无故缺席"), output_field=CharField()),
            label,
            Value("："),
            F("meeting__topic"),
            output_field=CharField(),
        ),
        pe_object_id=F("meeting_id"),
    )
    lectures = Meeting.objects.filter(
        **_year_filter("", year), kind=MeetingKind.LECTURE, lecturer_id__isnull=False
    ).annotate(
        pe_person=F("lecturer_id"),
        pe_person_status=F("lecturer__party_status"),
        pe_person_path=F("lecturer__org_path"),
        pe_date=F("held_on"),
        pe_rule=Value(LECTURE, output_field=CharField()),
        pe_description=Concat(Value("讲党课："), F("topic"), output_field=CharField()),
        pe_object_id=F("pk"),
    )
    return [attendance, lectures]


def years() -> list[int]:
    return [d.year for d in Meeting.objects.dates("held_on", "year")]


def meeting_url(pk: int) -> str:
    return reverse("meetings:meeting_detail", args=[pk])


register_point_source(
    "meetings",
    "组织生活",
    "meetings.meeting",
    derive_for_record=derive_for_record,
    derive_year=derive_year,
    rule_codes=(ATTEND, ABSENT, LECTURE),
    record_url=meeting_url,
    record_label="会议",
    years=years,
    derive_year_rows=derive_year_rows,
)
