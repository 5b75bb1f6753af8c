"""Fixtures for organizational-life tests (on top of the root conftest's `bureau`)."""

from __future__ import annotations

import datetime

import pytest

from meetings import services
from meetings.models import AttendanceStatus, TopicSubtype
from meetings.selectors import expected_attendees


@pytest.fixture
def record_meeting(bureau):
    """record_meeting(org, kind, held_on, present=None, **fields) -> Meeting, via the service.

    Attendance: everyone expected for that kind is present unless `present` (a list of people)
    says who came; the others are absent."""

    def make(org, kind, held_on: datetime.date, present=None, actor=None, attendance=None, **fields):
        if attendance is None:
            expected = list(expected_attendees(org, kind, held_on))
            came = set(p.pk for p in (present if present is not None else expected))
            attendance = [
                services.AttendanceRow(p, AttendanceStatus.PRESENT if p.pk in came else AttendanceStatus.ABSENT)
                for p in expected
            ]
        data = {"organization": org, "kind": kind, "held_on": held_on, "topic": fields.pop("topic", "学习会议")}
        if kind == "topic_meeting" and "subtype" not in fields:
            fields["subtype"] = TopicSubtype.objects.get(code="party_building")
        if kind == "party_lecture" and "lecturer" not in fields:
            fields["lecturer"] = bureau.sec1_person
        data.update(fields)
        return services.meeting_create(actor=actor or bureau.users.committee, data=data, attendance=attendance)

    return make
