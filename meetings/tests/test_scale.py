"""`generate_meeting_data` fills the synthetic tree with consistent meetings and attendance."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.utils import timezone

from core.models import AuditEntry
from meetings.management.commands.generate_meeting_data import MeetingScaleBuilder
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from orgs.models import Organization, Person

pytestmark = pytest.mark.django_db


def generate(*args) -> str:
    out = StringIO()
    call_command("generate_meeting_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def tree():
    call_command("generate_scale_data", "--orgs", "40", "--people", "500", "--seed", "3", stdout=StringIO())


def digest() -> list[tuple]:
    return list(
        Meeting.objects.order_by("organization__code", "held_on", "kind", "topic").values_list(
            "organization__code", "kind", "held_on", "topic", "present_count", "leave_count", "absent_count"
        )
    )


def test_meetings_are_consistent_with_the_tree_and_their_attendance(tree):
    audit_before = AuditEntry.objects.count()
    output = generate("--years", "1", "--per-branch-month", "2", "--seed", "5")
    assert "完成" in output
    today = timezone.localdate()
    meetings = list(Meeting.objects.select_related("organization"))
    assert len(meetings) > 50
    orgs = {o.pk: o for o in Organization.objects.all()}
    index = today.year * 12 + today.month - 1 - 11  # the last 12 months, this one included
    first_day = datetime.date(index // 12, index % 12 + 1, 1)
    for m in meetings:
        assert m.org_path == m.organization.path
        assert first_day <= m.held_on <= today
        org = orgs[m.organization_id]
        if m.kind == MeetingKind.CELL:
            assert org.org_type == "cell"
        elif m.kind == MeetingKind.BRANCH_COMMITTEE:
            assert org.has_committee
        elif m.kind in (MeetingKind.CENTRAL_STUDY, MeetingKind.LEADING_GROUP, MeetingKind.ORGAN_ASSEMBLY):
            assert org.org_type == "committee"
        if m.kind == MeetingKind.TOPIC:
            assert m.subtype_id is not None
        if m.kind == MeetingKind.LECTURE:
            assert m.lecturer_id is not None
        assert (m.quorum_met is None) == (m.kind not in (MeetingKind.BRANCH_GENERAL, MeetingKind.BRANCH_COMMITTEE))

    # Derived counts equal the attendance rows, per meeting and status.
    rows = Attendance.objects.values("meeting_id").annotate(
        n=Count("id"),
        p=Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
        le=Count("id", filter=Q(status=AttendanceStatus.LEAVE)),
        a=Count("id", filter=Q(status=AttendanceStatus.ABSENT)),
    )
    by_meeting = {r["meeting_id"]: (r["n"], r["p"], r["le"], r["a"]) for r in rows}
    for m in meetings:
        assert by_meeting.get(m.pk, (0, 0, 0, 0)) == (m.expected_count, m.present_count, m.leave_count, m.absent_count)
    assert not Attendance.objects.filter(status=AttendanceStatus.LEAVE, reason="").exists()
    assert Attendance.objects.values("meeting_id", "person_id").annotate(n=Count("id")).filter(n__gt=1).count() == 0

    # Attendees belong to the meeting organization's subtree and had joined by the date.
    for a in Attendance.objects.select_related("meeting", "person")[:3000]:
        assert a.person.org_path.startswith(a.meeting.org_path)
        if a.meeting.kind != MeetingKind.HEART_TALK:
            assert a.person.joined_party_on is None or a.person.joined_party_on <= a.meeting.held_on

    # Quorum of a 支部党员大会: more than half of the subtree's 正式党员 present.
    for m in [m for m in meetings if m.kind == MeetingKind.BRANCH_GENERAL][:30]:
        voters = set(
            Person.objects.filter(org_path__startswith=m.org_path, party_status="full").values_list("pk", flat=True)
        )
        came = set(m.attendance.filter(status=AttendanceStatus.PRESENT).values_list("person_id", flat=True))
        assert m.quorum_met == (len(came & voters) > len(voters) / 2)

    kinds = Counter(m.kind for m in meetings)
    assert kinds[MeetingKind.THEME_DAY] and kinds[MeetingKind.BRANCH_COMMITTEE] and kinds[MeetingKind.BRANCH_GENERAL]
    assert AuditEntry.objects.count() == audit_before  # synthetic data: no audit entries


def test_same_seed_same_data_and_no_second_run(tree):
    generate("--years", "1", "--per-branch-month", "1.5", "--seed", "9")
    first = digest()
    with pytest.raises(CommandError, match="已有会议数据"):
        generate("--years", "1")
    Attendance.objects.all().delete()
    Meeting.all_objects.all().delete()
    generate("--years", "1", "--per-branch-month", "1.5", "--seed", "9")
    assert digest() == first


def test_per_branch_month_sets_the_volume(tree):
    owing = Organization.objects.filter(org_type__in=["branch", "general_branch"]).count()
    builder = MeetingScaleBuilder(years=1, per_branch_month=1.0, seed=2, log=lambda _m: None)
    result = builder.run()
    # About one meeting per owing organization and month (months not yet over hold fewer).
    assert 0.6 * owing * 12 <= result["meetings"] <= 1.2 * owing * 12
    assert result["attendance"] == Attendance.objects.count()


def test_needs_the_scale_tree(settings):
    with pytest.raises(CommandError, match="generate_scale_data"):
        generate()
    settings.DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="DJANGO_DEMO_ALLOWED"):
        generate()


def test_bench_measures_the_meeting_pages(tree):
    MeetingScaleBuilder(years=1, per_branch_month=1.0, seed=4, log=lambda _m: None).run()
    out = StringIO()
    call_command("bench", "--only", "meetings", "--repeat", "1", stdout=out)
    text = out.getvalue()
    for label in ("会议台账 第1页", "按党组织+年度", "一个党支部", "落实情况 热力图", "支部组织生活"):
        assert label in text
    assert f"会议 {Meeting.objects.count()} 次" in text and "失败" not in text
