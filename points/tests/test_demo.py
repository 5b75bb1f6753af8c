"""The demo's points: derived from the demo meetings for 2022 to today, a few manual entries, and
the 2022 上半年 党员先锋 and 党员先锋科室 rounds completed with their 公示."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from core.periods import Period
from core.stats import build_report
from meetings.models import Attendance, Meeting
from orgs import demo
from orgs.models import Organization
from points.models import EntryKind, EntryStatus, PointEntry, PointScore, RoundStatus, VanguardRound
from points.sources import recompute_year

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_these_demo_areas(monkeypatch):
    """Build only the areas this module checks: the full demo (every area) takes ~25 s a load;
    reports/tests/test_demo_report.py loads it whole."""
    from orgs import demo as orgs_demo

    monkeypatch.setattr(orgs_demo, "DEMO_AREAS", ("meetings", "points"))


def test_demo_points_and_the_2022_half_year_vanguards():
    call_command("load_demo", stdout=StringIO())
    root = Organization.objects.get(code=demo.ROOT_CODE)
    # Every attendance of a counted kind became an entry (present +1, absent −2), for 2022 and 2023.
    for year in (2022, 2023):
        derived = PointEntry.objects.filter(year=year, kind=EntryKind.DERIVED, source="meetings")
        counted = Attendance.objects.filter(
            meeting__held_on__year=year,
            meeting__kind__in=[
                "branch_general_meeting",
                "branch_committee_meeting",
                "cell_meeting",
                "party_lecture",
                "theme_party_day",
                "org_life_meeting",
                "democratic_appraisal",
                "organ_member_assembly",
            ],
            status__in=["present", "absent"],
            person__party_status__in=["full", "probationary"],
        ).count()
        lectures = Meeting.objects.filter(
            held_on__year=year, kind="party_lecture", lecturer__party_status__in=["full", "probationary"]
        ).count()
        assert derived.count() == counted + lectures > 1000
    # The manual entries: approved, one pending, one rejected with the committee's reason.
    manual = PointEntry.objects.filter(kind=EntryKind.MANUAL)
    assert manual.filter(status=EntryStatus.EFFECTIVE).count() == 5
    assert manual.filter(status=EntryStatus.PENDING).count() == 1
    assert manual.get(status=EntryStatus.REJECTED).review_note.startswith("志愿服务时长未附证明材料")
    # The seed: 根据半年来党员量化积分情况，评选出“党员先锋”和“党员先锋科室”.
    rounds = VanguardRound.objects.filter(organization=root, year=2022, half=1)
    assert {(r.kind, r.status) for r in rounds} == {
        ("member", RoundStatus.COMPLETED),
        ("department", RoundStatus.COMPLETED),
    }
    member_round = rounds.get(kind="member")
    selected = list(member_round.nominations.filter(selected=True).select_related("person"))
    assert len(selected) == member_round.quota >= 1
    assert all(n.appraisal_grade == "优秀" for n in selected)
    assert member_round.notice_end > member_round.notice_start and member_round.completed_on > member_round.notice_end
    departments = rounds.get(kind="department").nominations.filter(selected=True)
    assert departments.count() == 2 and all(n.department.is_administrative for n in departments)
    text = dict((s.code, p) for s, p in build_report(Period.parse("2022H1"), root))["points.vanguard"][0].plain()
    assert f"评选出“党员先锋”{len(selected)}名和“党员先锋科室”2个" in text
    # Recomputing the demo's years changes nothing (idempotent).
    before = sorted(PointEntry.objects.values_list("person_id", "date", "points", "rule_code", "object_id", "status"))
    scores = sorted(PointScore.objects.values_list("person_id", "year", "total"))
    for year in (2022, 2023):
        recompute_year(year)
    assert (
        sorted(PointEntry.objects.values_list("person_id", "date", "points", "rule_code", "object_id", "status"))
        == before
    )
    assert sorted(PointScore.objects.values_list("person_id", "year", "total")) == scores
