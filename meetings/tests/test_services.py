"""Meeting services: validation, quorum, derived counts, audit, optimistic concurrency."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.audit import entries_for
from core.concurrency import ConcurrentEditError
from core.models import AuditEntry
from meetings import services
from meetings.models import Attendance, Meeting, TopicSubtype
from meetings.services import AttendanceRow
from orgs import services as org_services

pytestmark = pytest.mark.django_db
D = datetime.date
PRESENT, LEAVE, ABSENT = "present", "leave", "absent"
MARCH_5 = D(2024, 3, 5)


def data(org, kind="theme_party_day", held_on=MARCH_5, **extra):
    return {"organization": org, "kind": kind, "held_on": held_on, "topic": "学习二十大精神", **extra}


def create(bureau, attendance=(), **kw):
    return services.meeting_create(actor=bureau.users.sec1, data=data(**kw), attendance=attendance)


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


@pytest.fixture
def committee(bureau):
    """b1's committee on 2024-03-05: 孙书记 (书记), 张三 (组织委员), 李四 (宣传委员)."""
    for person, post in (
        (bureau.sec1_person, "secretary"),
        (bureau.zhang, "organization_member"),
        (bureau.li, "publicity_member"),
    ):
        org_services.post_assign(actor=None, person=person, organization=bureau.b1, post=post, start_on=D(2023, 1, 1))
    return [bureau.sec1_person, bureau.zhang, bureau.li]


# ---------------------------------------------------------------- audit


def test_create_update_delete_write_one_audit_entry_each(bureau):
    b = bureau
    rows = [AttendanceRow(b.zhang, PRESENT), AttendanceRow(b.li, LEAVE, "出差"), AttendanceRow(b.sec1_person, ABSENT)]
    m = create(b, org=b.b1, attendance=rows)
    entries = list(entries_for(m))
    assert [e.action for e in entries] == ["meetings.meeting.created"]
    assert entries[0].changes["attendance"] == [None, "应到3人，实到1人，请假1人，缺席1人"]
    assert entries[0].changes["topic"] == [None, "学习二十大精神"]
    assert entries[0].actor == b.users.sec1 and entries[0].organization == b.b1

    m = services.meeting_update(
        actor=b.users.sec1,
        meeting=m,
        data={"topic": "主题党日：重温入党誓词"},
        attendance=[
            AttendanceRow(b.zhang, PRESENT),
            AttendanceRow(b.li, PRESENT),
            AttendanceRow(b.sec1_person, PRESENT),
        ],
        expected_version=1,
    )
    updated = AuditEntry.objects.filter(action="meetings.meeting.updated", object_id=str(m.pk))
    assert updated.count() == 1
    changes = updated.get().changes
    assert changes["topic"] == ["学习二十大精神", "主题党日：重温入党誓词"]
    assert changes["attendance"] == ["应到3人，实到1人，请假1人，缺席1人", "应到3人，实到3人，请假0人，缺席0人"]
    assert changes["version"] == [1, 2]

    # Saving unchanged data writes nothing.
    services.meeting_update(actor=b.users.sec1, meeting=m, data={"topic": "主题党日：重温入党誓词"})
    assert AuditEntry.objects.filter(action="meetings.meeting.updated", object_id=str(m.pk)).count() == 1

    services.meeting_delete(actor=b.users.sec1, meeting=m)
    assert not Meeting.objects.filter(pk=m.pk).exists() and Meeting.all_objects.filter(pk=m.pk).exists()
    assert AuditEntry.objects.filter(action="meetings.meeting.deleted", object_id=str(m.pk)).count() == 1
    assert entries_for(m).count() == 3


def test_attendance_change_with_same_counts_is_audited(bureau):
    b = bureau
    m = create(b, org=b.b1, attendance=[AttendanceRow(b.zhang, PRESENT), AttendanceRow(b.li, ABSENT)])
    services.meeting_update(
        actor=b.users.sec1,
        meeting=m,
        data={},
        attendance=[AttendanceRow(b.zhang, ABSENT), AttendanceRow(b.li, PRESENT)],
    )
    entry = AuditEntry.objects.get(action="meetings.meeting.updated", object_id=str(m.pk))
    assert "attendance" in entry.changes
    assert set(Attendance.objects.filter(meeting=m).values_list("person__name", "status")) == {
        ("张三", ABSENT),
        ("李四", PRESENT),
    }


# ---------------------------------------------------------------- validation


def test_topic_meeting_needs_a_subtype(bureau):
    with pytest.raises(ValidationError) as e:
        create(bureau, org=bureau.root, kind="topic_meeting")
    assert "专题会议须选择专题类别" in errors_of(e)["subtype"][0]
    with pytest.raises(ValidationError) as e:
        create(bureau, org=bureau.b1, subtype=TopicSubtype.objects.get(code="integrity"))
    assert "只有专题会议" in errors_of(e)["subtype"][0]
    m = create(bureau, org=bureau.root, kind="topic_meeting", subtype=TopicSubtype.objects.get(code="integrity"))
    assert m.kind_label == "党风廉政专题会议"
    assert Meeting.objects.count() == 1


def test_lecture_needs_a_lecturer_who_may_be_any_member(bureau):
    with pytest.raises(ValidationError) as e:
        create(bureau, org=bureau.b1, kind="party_lecture")
    assert "党课须填写授课人" in errors_of(e)["lecturer"][0]
    assert not bureau.zhang.is_leader  # 普通党员讲党课
    m = create(bureau, org=bureau.b1, kind="party_lecture", lecturer=bureau.zhang)
    assert m.lecturer == bureau.zhang and list(bureau.zhang.lectures.all()) == [m]


def test_future_dates_are_refused(bureau):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as e:
        create(bureau, org=bureau.b1, held_on=tomorrow)
    assert "会议日期不能晚于今天" in errors_of(e)["held_on"][0]
    assert create(bureau, org=bureau.b1, held_on=timezone.localdate()).pk  # today is fine
    m = Meeting.objects.get()
    with pytest.raises(ValidationError):
        services.meeting_update(actor=bureau.users.sec1, meeting=m, data={"held_on": tomorrow})
    m.refresh_from_db()
    assert m.held_on == timezone.localdate()


def test_committee_meeting_refused_without_a_committee(bureau):
    assert not bureau.b2.has_committee
    with pytest.raises(ValidationError) as e:
        create(bureau, org=bureau.b2, kind="branch_committee_meeting")
    assert "未设立支部委员会" in errors_of(e)["kind"][0]
    assert Meeting.objects.count() == 0
    assert create(bureau, org=bureau.b1, kind="branch_committee_meeting").pk


def test_cell_meeting_only_on_a_cell(bureau):
    with pytest.raises(ValidationError) as e:
        create(bureau, org=bureau.b1, kind="cell_meeting")
    assert "党小组会应登记在党小组下" in errors_of(e)["organization"][0]
    assert create(bureau, org=bureau.cell, kind="cell_meeting").pk


def test_leave_needs_a_reason(bureau):
    b = bureau
    with pytest.raises(ValidationError) as e:
        create(b, org=b.b1, attendance=[AttendanceRow(b.zhang, PRESENT), AttendanceRow(b.li, LEAVE, "  ")])
    assert "“李四”请假须填写原因" in errors_of(e)["attendance"][0]
    m = create(b, org=b.b1, attendance=[AttendanceRow(b.zhang, PRESENT), AttendanceRow(b.li, LEAVE, " 病假 ")])
    assert Attendance.objects.get(meeting=m, person=b.li).reason == "病假"
    # An absence needs no reason.
    assert create(b, org=b.b1, attendance=[AttendanceRow(b.li, ABSENT)]).absent_count == 1


def test_attendance_rows_are_checked(bureau):
    b = bureau
    with pytest.raises(ValidationError) as e:
        create(b, org=b.b1, attendance=[AttendanceRow(b.zhang, PRESENT), AttendanceRow(b.zhang, ABSENT)])
    assert "重复" in errors_of(e)["attendance"][0]
    with pytest.raises(ValidationError) as e:
        create(b, org=b.b1, attendance=[AttendanceRow(b.zhang, "late")])
    assert "出勤状态无效" in errors_of(e)["attendance"][0]
    with pytest.raises(ValidationError) as e:
        create(b, org=b.b1, start_time=datetime.time(15), end_time=datetime.time(14))
    assert "结束时间应晚于开始时间" in errors_of(e)["end_time"][0]
    assert Meeting.objects.count() == 0 and Attendance.objects.count() == 0


def test_heart_talk_needs_two_people(bureau):
    b = bureau
    with pytest.raises(ValidationError) as e:
        create(b, org=b.b1, kind="heart_talk", attendance=[AttendanceRow(b.zhang, PRESENT)])
    assert "谈话双方" in errors_of(e)["attendance"][0]
    m = create(
        b, org=b.b1, kind="heart_talk", attendance=[AttendanceRow(b.zhang, PRESENT), AttendanceRow(b.li, PRESENT)]
    )
    assert m.present_count == 2 and m.quorum_met is None  # no quorum rule for talks


# ---------------------------------------------------------------- quorum and derived counts


def test_quorum_of_the_branch_general_meeting(bureau):
    """More than half of b1's 正式党员 (张三、李四、孙书记 — 钱七 is 预备党员 in b1's 党小组)."""
    b = bureau

    def meeting(present):
        rows = [AttendanceRow(p, PRESENT if p in present else ABSENT) for p in (b.zhang, b.li, b.sec1_person, b.qian)]
        return create(b, org=b.b1, kind="branch_general_meeting", attendance=rows)

    assert meeting({b.zhang, b.li}).quorum_met is True  # 2 of 3
    assert meeting({b.zhang, b.qian}).quorum_met is False  # 1 of 3: the 预备党员 does not count
    assert meeting({b.zhang}).quorum_met is False
    full = meeting({b.zhang, b.li, b.sec1_person, b.qian})
    assert full.quorum_met is True and full.present_count == 4 and full.expected_count == 4
    met, text = services.quorum(full, [AttendanceRow(b.zhang, PRESENT)])
    assert met is False and text == "有表决权的正式党员3人，到会1人（须超过半数）"


def test_quorum_of_the_committee_meeting(bureau, committee):
    b = bureau

    def meeting(present, on=MARCH_5):
        rows = [AttendanceRow(p, PRESENT if p in present else ABSENT) for p in committee]
        return create(b, org=b.b1, kind="branch_committee_meeting", attendance=rows, held_on=on)

    assert meeting({b.zhang, b.li}).quorum_met is True  # 2 of 3 committee members
    assert meeting({b.zhang}).quorum_met is False  # 1 of 3
    # Non-members present do not count towards the committee's quorum.
    rows = [AttendanceRow(b.zhang, PRESENT), AttendanceRow(b.qian, PRESENT), AttendanceRow(b.li, ABSENT)]
    m = create(b, org=b.b1, kind="branch_committee_meeting", attendance=rows)
    assert m.quorum_met is False
    # Before the posts recorded in the system (from 2023-01-01) the quorum cannot be checked:
    # no verdict rather than a false "not met" on historical meetings.
    early = meeting(set(committee), on=D(2022, 12, 1))
    assert early.quorum_met is None
    assert services.quorum(early, [])[1] == "未登记会议当日在任的支部委员，无法核对法定人数"


def test_quorum_follows_the_rule(bureau):
    from core.rules import rule_set_value

    rule_set_value(actor=bureau.users.admin, code="meeting.quorum.branch_general_meeting", year=2024, value=0.6)
    b = bureau
    rows = [AttendanceRow(b.zhang, PRESENT), AttendanceRow(b.li, PRESENT), AttendanceRow(b.sec1_person, ABSENT)]
    assert create(b, org=b.b1, kind="branch_general_meeting", attendance=rows).quorum_met is True  # 2/3 > 0.6
    rule_set_value(actor=bureau.users.admin, code="meeting.quorum.branch_general_meeting", year=2024, value=0.7)
    assert create(b, org=b.b1, kind="branch_general_meeting", attendance=rows).quorum_met is False


def test_quorum_not_asked_for_other_kinds(bureau):
    m = create(bureau, org=bureau.b1, attendance=[AttendanceRow(bureau.zhang, ABSENT)])
    assert m.quorum_met is None


def test_derived_counts_follow_the_attendance(bureau):
    b = bureau
    rows = [
        AttendanceRow(b.zhang, PRESENT),
        AttendanceRow(b.li, LEAVE, "病假"),
        AttendanceRow(b.sec1_person, PRESENT),
        AttendanceRow(b.qian, ABSENT),
    ]
    m = create(b, org=b.b1, kind="branch_general_meeting", attendance=rows)
    m.refresh_from_db()
    assert (m.expected_count, m.present_count, m.leave_count, m.absent_count, m.quorum_met) == (4, 2, 1, 1, True)
    assert m.org_path == b.b1.path
    m = services.meeting_update(
        actor=b.users.sec1,
        meeting=m,
        data={},
        attendance=[AttendanceRow(b.zhang, PRESENT), AttendanceRow(b.li, ABSENT)],
    )
    m.refresh_from_db()
    assert (m.expected_count, m.present_count, m.leave_count, m.absent_count, m.quorum_met) == (2, 1, 0, 1, False)
    assert Attendance.objects.filter(meeting=m).count() == 2
    # Changing only other fields keeps the attendance and its counts.
    m = services.meeting_update(actor=b.users.sec1, meeting=m, data={"place": "党员活动室"})
    m.refresh_from_db()
    assert (m.expected_count, m.present_count, m.place) == (2, 1, "党员活动室")


def test_moving_a_meeting_updates_its_path(bureau):
    m = create(bureau, org=bureau.b1)
    services.meeting_update(actor=bureau.users.committee, meeting=m, data={"organization": bureau.b2})
    m.refresh_from_db()
    assert m.org_path == bureau.b2.path


# ---------------------------------------------------------------- concurrency


def test_stale_version_is_refused(bureau):
    b = bureau
    m = create(b, org=b.b1)
    assert m.version == 1
    services.meeting_update(actor=b.users.committee, meeting=m, data={"topic": "先保存的修改"}, expected_version=1)
    with pytest.raises(ConcurrentEditError) as e:
        services.meeting_update(actor=b.users.sec1, meeting=m, data={"topic": "后保存的修改"}, expected_version=1)
    assert "已被" in str(e.value) and "您的修改尚未保存" in str(e.value)
    m.refresh_from_db()
    assert (m.topic, m.version) == ("先保存的修改", 2)
    assert AuditEntry.objects.filter(action="meetings.meeting.updated", object_id=str(m.pk)).count() == 1
    services.meeting_update(actor=b.users.sec1, meeting=m, data={"topic": "后保存的修改"}, expected_version=2)
    m.refresh_from_db()
    assert (m.topic, m.version) == ("后保存的修改", 3)


def test_restore_from_the_recycle_bin(bureau):
    m = create(bureau, org=bureau.b1)
    services.meeting_delete(actor=bureau.users.sec1, meeting=m)
    services.meeting_restore(actor=bureau.users.committee, meeting=Meeting.all_objects.get(pk=m.pk))
    assert Meeting.objects.filter(pk=m.pk).exists()
    assert AuditEntry.objects.filter(action="core.object.restored", object_id=str(m.pk)).count() == 1
