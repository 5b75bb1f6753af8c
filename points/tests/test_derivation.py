"""Derived entries follow the meetings: attendance, lectures, edits, deletion, restoration, and
the bulk recomputation gives the same entries."""

from __future__ import annotations

import datetime

import pytest

from core.rules import rule_set_value
from meetings import services as meeting_services
from meetings.models import Meeting
from points.models import EntryKind, PointEntry, PointScore
from points.selectors import Window, person_score
from points.sources import recompute_year
from points.tests.conftest import ABSENT, LEAVE, PRESENT

pytestmark = pytest.mark.django_db
D = datetime.date


def entries_of(person, year=2022):
    return sorted(PointEntry.objects.filter(person=person, year=year).values_list("rule_code", "points"))


def snapshot():
    return sorted(
        PointEntry.objects.filter(kind=EntryKind.DERIVED).values_list(
            "person_id", "year", "date", "points", "rule_code", "object_id", "description", "org_path", "source"
        )
    )


def scores():
    return sorted(PointScore.objects.values_list("person_id", "year", "q1", "q2", "q3", "q4", "total", "entries"))


def test_attendance_and_absence_are_priced_by_the_rules(bureau, meeting):
    b = bureau
    m = meeting(b.b1, "branch_general_meeting", D(2022, 5, 10), {b.zhang: PRESENT, b.li: LEAVE, b.sec1_person: ABSENT})
    assert entries_of(b.zhang) == [("points.attend_meeting", 1)]
    assert entries_of(b.li) == []  # leave: neither added nor deducted
    assert entries_of(b.sec1_person) == [("points.unexcused_absence", -2)]
    entry = PointEntry.objects.get(person=b.zhang)
    assert entry.record == m and entry.kind == EntryKind.DERIVED and entry.status == "effective"
    assert entry.description.startswith("出席支部党员大会") and entry.org_path == b.zhang.org_path
    assert person_score(b.zhang, Window.year_of(2022))["score"] == 61
    assert person_score(b.sec1_person, Window.year_of(2022))["score"] == 58


def test_non_members_and_leadership_meetings_earn_nothing(bureau, meeting):
    b = bureau
    meeting(b.b2, "theme_party_day", D(2022, 3, 12), {b.wang: PRESENT, b.zhao: PRESENT})  # 赵六 is 群众
    assert entries_of(b.wang) == [("points.attend_meeting", 1)]
    assert entries_of(b.zhao) == []
    meeting(b.root, "central_study", D(2022, 3, 15), {b.wang: PRESENT})  # 中心组学习 is not 三会一课
    assert entries_of(b.wang) == [("points.attend_meeting", 1)]


def test_lecturer_earns_the_lecture_rule_on_top_of_attendance(bureau, meeting):
    b = bureau
    meeting(
        b.b1, "party_lecture", D(2022, 6, 20), {b.zhang: PRESENT, b.li: PRESENT}, lecturer=b.li, topic="普通党员讲党课"
    )
    assert entries_of(b.li) == [("points.attend_meeting", 1), ("points.lecture_given", 3)]
    assert entries_of(b.zhang) == [("points.attend_meeting", 1)]


def test_edit_delete_restore_recompute_idempotently(bureau, meeting):
    b = bureau
    m = meeting(b.b1, "branch_general_meeting", D(2022, 5, 10), {b.zhang: PRESENT, b.li: PRESENT})
    assert entries_of(b.zhang) == [("points.attend_meeting", 1)]
    # 张三 was in fact absent; 李四 was on leave.
    rows = [meeting_services.AttendanceRow(b.zhang, ABSENT), meeting_services.AttendanceRow(b.li, LEAVE, "病假")]
    m = meeting_services.meeting_update(actor=b.users.sec1, meeting=m, data={}, attendance=rows)
    assert entries_of(b.zhang) == [("points.unexcused_absence", -2)]
    assert entries_of(b.li) == []
    # Saving again without changes changes nothing.
    before = snapshot()
    meeting_services.meeting_update(actor=b.users.sec1, meeting=m, data={"topic": "学习会议（更正）"})
    assert [r[:6] for r in snapshot()] == [r[:6] for r in before]
    # The date moves to the next year: the entry moves with it, both years' sums follow.
    meeting_services.meeting_update(actor=b.users.sec1, meeting=m, data={"held_on": D(2023, 1, 5)})
    assert entries_of(b.zhang, 2022) == [] and entries_of(b.zhang, 2023) == [("points.unexcused_absence", -2)]
    assert PointScore.objects.get(person=b.zhang, year=2022).total == 0
    assert PointScore.objects.get(person=b.zhang, year=2023).total == -2
    # Deleted: no points; restored: the same points again.
    m = Meeting.all_objects.get(pk=m.pk)
    meeting_services.meeting_delete(actor=b.users.sec1, meeting=m)
    assert PointEntry.objects.count() == 0
    assert PointScore.objects.get(person=b.zhang, year=2023).total == 0
    meeting_services.meeting_restore(actor=b.users.committee, meeting=Meeting.all_objects.get(pk=m.pk))
    assert entries_of(b.zhang, 2023) == [("points.unexcused_absence", -2)]
    assert PointScore.objects.get(person=b.zhang, year=2023).total == -2


def test_bulk_recompute_matches_the_per_record_derivation_and_is_idempotent(bureau, meeting, manual):
    b = bureau
    meeting(b.b1, "branch_general_meeting", D(2022, 2, 10), {b.zhang: PRESENT, b.li: ABSENT, b.qian: PRESENT})
    meeting(b.b1, "party_lecture", D(2022, 8, 20), {b.zhang: PRESENT}, lecturer=b.sec1_person)
    meeting(b.b2, "theme_party_day", D(2022, 11, 12), {b.wang: PRESENT, b.zhao: PRESENT})
    deleted = meeting(b.b2, "theme_party_day", D(2022, 12, 12), {b.wang: PRESENT})
    meeting_services.meeting_delete(actor=b.users.sec2, meeting=deleted)
    manual(b.zhang, 3, D(2022, 9, 1), reason="发表理论文章")
    expected_entries, expected_scores = snapshot(), scores()
    assert len(expected_entries) == 6

    first = recompute_year(2022)
    assert first.removed == 6 and first.created == 6
    assert snapshot() == expected_entries and scores() == expected_scores
    again = recompute_year(2022)
    assert again.created == 6 and snapshot() == expected_entries and scores() == expected_scores
    # The manual entry survives (recomputation touches derived entries only).
    assert PointEntry.objects.filter(kind=EntryKind.MANUAL, status="effective").count() == 1


def test_recompute_applies_an_edited_rule(bureau, meeting):
    b = bureau
    meeting(b.b1, "branch_general_meeting", D(2024, 2, 10), {b.zhang: PRESENT})
    rule_set_value(actor=b.users.admin, code="points.attend_meeting", year=2024, value="2")
    assert entries_of(b.zhang, 2024) == [("points.attend_meeting", 1)]  # priced when derived
    recompute_year(2024)
    assert entries_of(b.zhang, 2024) == [("points.attend_meeting", 2)]
    # A rule set to 0 switches that kind of entry off.
    rule_set_value(actor=b.users.admin, code="points.attend_meeting", year=2024, value="0")
    recompute_year(2024)
    assert entries_of(b.zhang, 2024) == []


def test_recompute_command_reports_and_audits(bureau, meeting):
    from io import StringIO

    from django.core.management import call_command

    from core.models import AuditEntry

    b = bureau
    meeting(b.b1, "branch_general_meeting", D(2022, 2, 10), {b.zhang: PRESENT, b.li: ABSENT})
    out = StringIO()
    call_command("recompute_points", "--all", stdout=out)
    text = out.getvalue()
    assert "2022年完成：删除 2 条，写入 2 条，汇总 7 人" in text and "进程峰值内存" in text
    entry = AuditEntry.objects.get(action="points.year.recomputed")
    assert entry.object_repr == "2022年党员积分" and entry.changes["created"] == [None, 2]
    with pytest.raises(Exception, match="--year"):
        call_command("recompute_points", stdout=StringIO())
