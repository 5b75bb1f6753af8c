"""The demo's star ratings, checklist and periodic assessments, counted from the tables directly."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from assessment.models import (
    AssessmentRecord,
    AssessmentRound,
    AssessmentStatus,
    BranchRating,
    Grade,
    RoundStatus,
    StandardizationCheck,
    StarRatingRound,
)
from assessment.scheme import allowed_count
from orgs import demo
from orgs.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """The demo built once for the module inside a transaction that is rolled back at the end
    (each test runs in a savepoint within it). Only the areas this test needs: meetings feed
    the pre-filled inputs."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        original = demo.DEMO_AREAS
        demo.DEMO_AREAS = ("meetings", "assessment")
        try:
            yield demo.build_demo()
        finally:
            demo.DEMO_AREAS = original
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def stars_of(year: int) -> dict[str, int]:
    return {
        r.organization.code: r.final_stars
        for r in BranchRating.objects.filter(year=year).select_related("organization")
    }


def test_2022_rating_changes_against_2021(demo_db):
    r2021 = StarRatingRound.objects.get(year=2021)
    r2022 = StarRatingRound.objects.get(year=2022)
    assert r2021.historical and r2021.status == RoundStatus.FINAL
    assert not r2022.historical and r2022.status == RoundStatus.FINAL
    assert r2022.ratings.count() == 6
    ratings = list(r2022.ratings.select_related("organization"))
    changes = Counter(r.change for r in ratings)
    assert changes["up"] == 3 and changes["down"] == 1
    down = next(r for r in ratings if r.change == "down")
    assert down.organization.name == "图书馆党支部"  # the lagging library branch
    five = [r for r in ratings if r.final_stars == 5]
    assert len(five) <= allowed_count(6, r2022.scheme["quota_five"])
    # Every 2022 rating was self-assessed and carries the pre-filled inputs from the meetings.
    assert all(r.submitted_at and r.self_total for r in ratings)
    assert all(any(i["code"] == "meetings.obligations.met" and i["available"] for i in r.inputs) for r in ratings)


def test_caps_appear_in_the_demo(demo_db):
    weak = BranchRating.objects.get(year=2023, organization__code="DEMO-B04")
    assert weak.weak_lax and weak.computed_stars == 3 and weak.final_stars == 2
    assert "软弱涣散" in weak.cap_reasons
    veto = BranchRating.objects.get(year=2024, organization__code="DEMO-G02")
    assert veto.vetoes and veto.final_stars == 2 and "一票否决" in veto.cap_reasons


def test_every_published_year_keeps_the_five_star_quota(demo_db):
    for rnd in StarRatingRound.objects.filter(status__in=[RoundStatus.NOTICE, RoundStatus.FINAL]):
        five = rnd.ratings.filter(final_stars=5).count()
        assert five <= allowed_count(rnd.ratings.count(), rnd.scheme["quota_five"]), rnd.year


def test_this_years_round_is_under_way(demo_db):
    year = timezone.localdate().year
    rnd = StarRatingRound.objects.get(year=year)
    assert rnd.status == RoundStatus.SELF
    b1 = rnd.ratings.get(organization__code="DEMO-B01")
    assert b1.status == "pending"  # branch1's home page shows the self-assessment as due
    assert rnd.ratings.filter(status="submitted").count() == 2


def test_standardization_checklist_has_gaps_with_the_library_lagging(demo_db):
    gaps = Counter(
        StandardizationCheck.objects.filter(year=2022, met=False).values_list("organization__name", flat=True)
    )
    assert gaps.most_common(1)[0][0] == "图书馆党支部"
    assert StandardizationCheck.objects.filter(year=2022, organization__code="DEMO-B01", met=False).count() == 0
    assert StandardizationCheck.objects.filter(year=timezone.localdate().year, met=False).exists()


def test_four_quarters_of_2022_and_2023_for_the_whole_staff_within_quota(demo_db):
    organ_staff = Person.objects.filter(unit__unit_type="organ").count()
    leaders = Person.objects.filter(unit__unit_type="organ", is_leader=True).count()
    assert leaders >= 5
    for year in (2022, 2023):
        rounds = AssessmentRound.objects.filter(year=year).order_by("quarter")
        assert [r.quarter for r in rounds] == [1, 2, 3, 4]
        for rnd in rounds:
            assert rnd.status == AssessmentStatus.CONFIRMED
            records = rnd.records.all()
            assert records.count() == organ_staff
            assert records.filter(is_leader=True).count() == leaders  # leaders assessed too
            excellent = records.filter(final_grade=Grade.EXCELLENT).count()
            assert 0 < excellent <= allowed_count(organ_staff, rnd.scheme["quota_excellent"])
    # Where the scores alone would break the quota, the committee lowered the weakest 好, saying why.
    lowered = AssessmentRecord.objects.filter(proposed_grade=Grade.EXCELLENT, final_grade=Grade.GOOD)
    assert lowered.exists() and all("40%" in r.grade_reason for r in lowered)
    # The annual roll-up has both outcomes.
    from accounts.models import User
    from assessment.year import year_rows

    rows = year_rows(User.objects.get(username="committee"), 2022, paginate=False)["rows"]
    codes = Counter(r["outcome"].code for r in rows)
    assert codes["excellent"] > 0 and codes["competent"] > 0


def test_this_quarter_is_open_with_the_members_summary_due(demo_db):
    today = timezone.localdate()
    rnd = AssessmentRound.objects.get(year=today.year, quarter=(today.month - 1) // 3 + 1)
    assert rnd.status == AssessmentStatus.OPEN
    member = demo_db["users"]["member"]
    record = AssessmentRecord.objects.get(round=rnd, person_id=member.person_id)
    assert record.status == "pending_summary"
    head = demo_db["users"]["branch1"]
    waiting = AssessmentRecord.objects.filter(
        round=rnd, round_department__head_id=head.person_id, status="pending_score"
    )
    assert waiting.exclude(person_id=head.person_id).exists()
