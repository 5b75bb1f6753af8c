"""The demo's organizational life: the seed's first half of 2022, plausible years after, one lagging branch.

Counts are read from the Meeting table directly (not through the statistics code)."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Sum
from django.utils import timezone

from core.models import AuditEntry
from core.periods import Period
from meetings import demo as meetings_demo
from meetings import obligations
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from orgs import demo
from orgs.models import Organization, Person

pytestmark = pytest.mark.django_db

H1_2022 = (datetime.date(2022, 1, 1), datetime.date(2022, 6, 30))


@pytest.fixture(autouse=True)
def _only_these_demo_areas(monkeypatch):
    """Build only the areas this module checks: the full demo (every area) takes ~25 s a load;
    reports/tests/test_demo_report.py loads it whole."""
    from orgs import demo as orgs_demo

    monkeypatch.setattr(orgs_demo, "DEMO_AREAS", ("meetings",))


@pytest.fixture
def loaded():
    call_command("load_demo", stdout=StringIO())
    return Organization.objects.get(code=demo.ROOT_CODE)


def test_first_half_of_2022_reproduces_the_seed(loaded):
    root = loaded
    h1 = Meeting.objects.filter(organization=root, held_on__range=H1_2022)
    topics = Counter(h1.filter(kind=MeetingKind.TOPIC).values_list("subtype__name", flat=True))
    # 党建工作专题会2次、党风廉政专题会议3次，意识形态、网络意识形态专题会议各1次；两个整改专题会议.
    assert topics == {"党建工作": 2, "党风廉政建设": 3, "意识形态": 1, "网络意识形态": 1, "问题整改": 2}

    rectification = list(h1.filter(subtype__code="rectification").order_by("held_on"))
    assert [m.held_on.month for m in rectification] == [6, 6]
    assert [m.participant_scope for m in rectification] == ["班子成员、馆团负责人", "全体机关干部"]
    leaders = set(Person.objects.filter(is_leadership_member=True).values_list("pk", flat=True))
    first = set(rectification[0].attendance.values_list("person_id", flat=True))
    assert leaders < first  # the leadership team plus the venues' heads
    everyone = set(rectification[1].attendance.values_list("person_id", flat=True))
    assert len(everyone) > len(first) and all("机关" in p.unit.name for p in Person.objects.filter(pk__in=everyone))

    # The 主要负责人 (党组书记) lectured in May at the 党员大会.
    secretary = Person.objects.get(leadership_role__contains="第一责任人")
    lecture = Meeting.objects.get(kind=MeetingKind.LECTURE, topic__contains="清正廉洁七笔帐")
    assert lecture.topic == "党员干部要算好清正廉洁七笔帐"
    assert lecture.lecturer == secretary and lecture.organization == root
    assert (lecture.held_on.year, lecture.held_on.month) == (2022, 5)
    assert lecture.expected_count > 30 and lecture.present_count > lecture.expected_count * 0.8

    life = Meeting.objects.get(kind=MeetingKind.DEMOCRATIC_LIFE, topic="2021年度民主生活会")
    assert life.organization == root and life.held_on.year == 2022 and life.held_on.month in (1, 2)
    assert life.present_count == life.expected_count == len(leaders)

    kinds = Counter(h1.values_list("kind", flat=True))
    assert kinds[MeetingKind.CENTRAL_STUDY] == 6 and kinds[MeetingKind.LEADING_GROUP] == 6
    assert kinds[MeetingKind.WEEKLY] >= 10 and kinds[MeetingKind.MONTHLY] == 6

    library_day = Meeting.objects.filter(
        kind=MeetingKind.THEME_DAY, topic__contains="流动图书下乡", held_on__year=2022, held_on__month=2
    )
    assert library_day.count() == 4  # the four 机关/馆 branches took part


def test_every_branch_lives_its_organizational_life_audited_as_system(loaded):
    today = timezone.localdate()
    branches = list(Organization.objects.filter(org_type__in=["branch", "general_branch"]))
    assert len(branches) == 6
    for branch in branches:
        mine = Meeting.objects.filter(organization=branch)
        for year in (2022, 2023):
            months = set(
                mine.filter(kind=MeetingKind.THEME_DAY, held_on__year=year).values_list("held_on__month", flat=True)
            )
            if branch.name != "图书馆党支部":
                assert months == set(range(1, 13)), (branch.name, year)
                # 支部党员大会 and 党课 every quarter, 组织生活会 and 民主评议 in the fourth quarter.
                for kind in (MeetingKind.BRANCH_GENERAL, MeetingKind.LECTURE):
                    quarters = {
                        (m - 1) // 3
                        for m in mine.filter(kind=kind, held_on__year=year).values_list("held_on__month", flat=True)
                    }
                    assert quarters == {0, 1, 2, 3}, (branch.name, year, kind)
                if branch.has_committee:
                    held = mine.filter(kind=MeetingKind.BRANCH_COMMITTEE, held_on__year=year).count()
                    assert held == 12, (branch.name, year)
            for kind in (MeetingKind.ORG_LIFE, MeetingKind.APPRAISAL):
                assert mine.filter(kind=kind, held_on__year=year, held_on__month=12).count() == 1
            assert mine.filter(kind=MeetingKind.HEART_TALK, held_on__year=year).exists()
        if branch.has_cells:
            cells = Meeting.objects.filter(organization__parent=branch, kind=MeetingKind.CELL, held_on__year=2023)
            assert set(cells.values_list("held_on__month", flat=True)) == set(range(1, 13))
        # Meetings reach the current year.
        assert mine.filter(held_on__year=today.year).exists()
    # 普通党员讲党课: some branch lectures are given by members without a post.
    lectures = Meeting.objects.filter(kind=MeetingKind.LECTURE, organization__org_type="branch")
    assert lectures.exclude(lecturer__posts__isnull=False).exists()

    # Nothing in the future; derived counts equal the attendance rows.
    assert not Meeting.objects.filter(held_on__gt=today).exists()
    assert not Meeting.objects.filter(held_on__lt=meetings_demo.START).exists()
    total = Meeting.objects.count()
    assert 600 <= total <= 2000
    rows = Counter(Attendance.objects.values_list("status", flat=True))
    sums = Meeting.objects.aggregate(e=Sum("expected_count"), p=Sum("present_count"), le=Sum("leave_count"))
    assert (sums["e"], sums["p"], sums["le"]) == (
        sum(rows.values()),
        rows[AttendanceStatus.PRESENT],
        rows[AttendanceStatus.LEAVE],
    )
    for m in Meeting.objects.annotate(n=Count("attendance")).filter(kind=MeetingKind.BRANCH_GENERAL)[:50]:
        assert m.n == m.expected_count == m.present_count + m.leave_count + m.absent_count
    # Most attend, some are on leave (always with a reason), very few are absent.
    assert rows[AttendanceStatus.PRESENT] > 0.85 * sum(rows.values())
    assert 0 < rows[AttendanceStatus.ABSENT] < rows[AttendanceStatus.LEAVE] < 0.1 * sum(rows.values())
    assert not Attendance.objects.filter(status=AttendanceStatus.LEAVE, reason="").exists()
    # Members attend only meetings held after they joined the party.
    members = Attendance.objects.filter(meeting__kind__in=[MeetingKind.BRANCH_GENERAL, MeetingKind.THEME_DAY])
    assert not members.filter(person__joined_party_on__gt=F("meeting__held_on")).exists()

    created = AuditEntry.objects.filter(action="meetings.meeting.created")
    assert created.count() == total
    assert not created.exclude(actor=None).exists() and set(created.values_list("actor_name", flat=True)) == {"系统"}


def test_the_library_branch_falls_behind(loaded):
    today = timezone.localdate()
    library = Organization.objects.get(name="图书馆党支部")
    others = Organization.objects.filter(org_type="branch").exclude(pk=library.pk)

    def theme_days(org, year):
        return Meeting.objects.filter(organization=org, kind=MeetingKind.THEME_DAY, held_on__year=year).count()

    assert theme_days(library, 2023) < 12 and all(theme_days(o, 2023) == 12 for o in others)

    # Overdue obligations of the last three months (and last quarter's 党课), for it alone.
    this_month = Period.containing("month", today)
    recent = Period(
        "custom", this_month.start - datetime.timedelta(days=85), this_month.start - datetime.timedelta(days=1), ""
    )
    span = Period("custom", Period.containing("month", recent.start).start, recent.end, "")
    overdue = [o for o in obligations.obligations_for(library, span, today) if o.state == obligations.OVERDUE]
    kinds = Counter(o.kind for o in overdue)
    assert kinds[MeetingKind.THEME_DAY] >= 2 and kinds[MeetingKind.BRANCH_COMMITTEE] >= 1
    last_quarter = Period.containing("quarter", Period.containing("quarter", today).start - datetime.timedelta(days=1))
    lecture = [o for o in obligations.obligations_for(library, last_quarter, today) if o.kind == MeetingKind.LECTURE]
    assert lecture and lecture[0].state == obligations.OVERDUE and lecture[0].held == 0
    for other in others:
        late = [o for o in obligations.obligations_for(other, span, today) if o.state == obligations.OVERDUE]
        assert not late, (other.name, [o.label for o in late])


def test_the_first_branch_still_owes_this_months_committee_meeting(loaded):
    from accounts.models import User

    today = timezone.localdate()
    due = obligations.due_obligations(User.objects.get(username="branch1"), today)
    this_month = Period.containing("month", today)
    committee = [o for o in due if o.kind == MeetingKind.BRANCH_COMMITTEE and o.period == this_month]
    assert committee and committee[0].held == 0 and committee[0].state in (obligations.DUE, obligations.UPCOMING)
    # …while its 主题党日 of this month is done once its fixed day has passed.
    theme = [o for o in due if o.kind == MeetingKind.THEME_DAY and o.period == this_month]
    assert not theme or today.day < Organization.objects.get(name="机关第一党支部").fixed_theme_day
