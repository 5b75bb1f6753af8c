"""Fixtures for points tests (on top of the root conftest's `bureau`)."""

from __future__ import annotations

import datetime

import pytest

from meetings import services as meeting_services
from meetings.models import AttendanceStatus
from points import services

D = datetime.date
PRESENT, LEAVE, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.LEAVE, AttendanceStatus.ABSENT


@pytest.fixture
def meeting(bureau):
    """meeting(org, kind, held_on, {person: status}, **fields) -> Meeting via the meetings service."""

    def make(org, kind, held_on, attendance: dict, actor=None, **fields):
        rows = [
            meeting_services.AttendanceRow(p, status, "出差" if status == LEAVE else "")
            for p, status in attendance.items()
        ]
        data = {
            "organization": org,
            "kind": kind,
            "held_on": held_on,
            "topic": fields.pop("topic", "学习会议"),
            **fields,
        }
        return meeting_services.meeting_create(actor=actor or bureau.users.sec1, data=data, attendance=rows)

    return make


@pytest.fixture
def manual(bureau):
    """manual(person, points, day, reason=..., approve=True) -> PointEntry (entered by sec1/sec2)."""

    def make(person, points, day, reason="表现突出", approve=True, rule_code="", actor=None):
        actor = actor or (bureau.users.sec1 if person.org_path.startswith(bureau.b1.path) else bureau.users.sec2)
        entry = services.manual_entry_create(
            actor=actor, person=person, date=day, reason=reason, points=points, rule_code=rule_code
        )
        if approve:
            entry = services.manual_entry_approve(actor=bureau.users.committee, entry=entry)
        return entry

    return make
