"""Pre-filled inputs (预填数据) equal the figures the other areas compute, with their links; the
list of inputs is data (the rule star.inputs), and an area that is not installed shows as such."""

from __future__ import annotations

import datetime
import io

import pytest

from assessment import services
from assessment.inputs import NOT_ENABLED
from core import stats as core_stats
from core.periods import Period
from core.rules import rule_set_value
from core.stats import StatValue, get_statistic
from meetings import services as meeting_services
from meetings.models import AttendanceStatus
from meetings.selectors import expected_attendees
from orgs.models import Organization

pytestmark = pytest.mark.django_db
D = datetime.date
YEAR = Period.parse("2022")
MEETING_CODES = ("meetings.obligations.owed", "meetings.obligations.met", "meetings.attendance_rate")


@pytest.fixture
def established(bureau):
    Organization.all_objects.update(established_on=D(2018, 1, 1))
    for name in ("root", "b1", "b2", "cell"):
        getattr(bureau, name).refresh_from_db()
    return bureau


def hold(org, kind, day, absent=()):
    people = list(expected_attendees(org, kind, day))
    rows = [
        meeting_services.AttendanceRow(p, AttendanceStatus.ABSENT if p in absent else AttendanceStatus.PRESENT)
        for p in people
    ]
    data = {"organization": org, "kind": kind, "held_on": day, "topic": "学习会议"}
    if kind == "party_lecture":
        data["lecturer"] = people[0]
    return meeting_services.meeting_create(actor=None, data=data, attendance=rows)


@pytest.fixture
def meetings_2022(established):
    b = established
    for month in (1, 2, 3, 4, 5, 6):
        hold(b.b1, "theme_party_day", D(2022, month, 10), absent=[b.li] if month == 2 else ())
    hold(b.b1, "branch_general_meeting", D(2022, 3, 20))
    hold(b.b1, "party_lecture", D(2022, 5, 20))
    hold(b.b2, "theme_party_day", D(2022, 1, 12), absent=[b.wang])
    hold(b.b2, "branch_general_meeting", D(2022, 6, 12))
    return b


def by_code(rating) -> dict:
    return {row["code"]: row for row in rating.inputs}


def test_prefilled_meeting_inputs_equal_the_meetings_figures(meetings_2022):
    b = meetings_2022
    rnd = services.star_round_open(actor=b.users.committee, organization=b.root, year=2022)
    for org in (b.b1, b.b2):
        rows = by_code(rnd.ratings.get(organization=org))
        for code in MEETING_CODES:
            expected = get_statistic(code).compute(YEAR, org, None)
            assert rows[code]["available"], code
            assert rows[code]["value"] == expected.value, (org, code)
            assert rows[code]["url"] == expected.url
            assert rows[code]["source"].startswith("组织生活：")
    rows = by_code(rnd.ratings.get(organization=b.b1))
    # An independent look: b1 held meetings in 2022, and one absence lowers its attendance rate.
    assert rows["meetings.obligations.met"]["value"] > 0
    assert 0 < rows["meetings.attendance_rate"]["value"] < 100
    assert rows["meetings.obligations.owed"]["value"] >= rows["meetings.obligations.met"]["value"]


def test_other_areas_inputs_equal_their_figures_or_say_not_enabled(meetings_2022):
    b = meetings_2022
    rnd = services.star_round_open(actor=None, organization=b.root, year=2022)
    rows = by_code(rnd.ratings.get(organization=b.b1))
    for code in ("supervision.problems.on_time_rate", "points.average"):
        try:
            stat = get_statistic(code)
        except KeyError:
            assert rows[code]["available"] is False and rows[code]["note"] == NOT_ENABLED
            continue
        assert rows[code]["value"] == stat.compute(YEAR, b.b1, None).value


def test_refresh_follows_newly_recorded_meetings(meetings_2022):
    b = meetings_2022
    rnd = services.star_round_open(actor=None, organization=b.root, year=2022)
    before = by_code(rnd.ratings.get(organization=b.b2))["meetings.obligations.met"]["value"]
    hold(b.b2, "theme_party_day", D(2022, 2, 12))
    hold(b.b2, "party_lecture", D(2022, 2, 20))
    services.star_round_refresh_inputs(actor=b.users.committee, round=rnd)
    row = by_code(rnd.ratings.get(organization=b.b2))["meetings.obligations.met"]
    assert row["value"] == get_statistic("meetings.obligations.met").compute(YEAR, b.b2, None).value > before


def test_the_list_of_inputs_is_data(established):
    """A new area feeds the rating by registering a statistic and listing it in star.inputs."""
    b = established
    calls = []

    def training_hours(period, organization, user=None):
        calls.append((period.code, organization.pk))
        return StatValue(12.5, f"/training/?org={organization.pk}&period={period.code}", "学时")

    core_stats.register_statistic("training.hours_per_member", "人均培训学时", "教育培训", unit="学时")(training_hours)
    try:
        rule_set_value(
            actor=b.users.admin,
            code="star.inputs",
            year=2022,
            value=[
                {"code": "training.hours_per_member", "label": "人均培训学时", "dimension": "班子队伍"},
                {"code": "activities.count", "label": "主题活动次数", "dimension": "作用发挥"},
            ],
        )
        rnd = services.star_round_open(actor=None, organization=b.root, year=2022)
        rows = rnd.ratings.get(organization=b.b1).inputs
        assert [r["code"] for r in rows] == ["training.hours_per_member", "activities.count"]
        assert rows[0]["value"] == 12.5 and rows[0]["url"] == f"/training/?org={b.b1.pk}&period=2022"
        assert rows[0]["source"] == "教育培训：人均培训学时" and rows[0]["dimension"] == "班子队伍"
        assert rows[1]["available"] is False and rows[1]["note"] == NOT_ENABLED
        assert ("2022", b.b1.pk) in calls
    finally:
        core_stats._STATS.pop("training.hours_per_member", None)


def test_historical_rounds_prefill_nothing(established):
    rnd = services.star_round_open(actor=None, organization=established.root, year=2021, historical=True)
    assert all(r.inputs == [] for r in rnd.ratings.all())
    with pytest.raises(Exception, match="不预填"):
        services.star_round_refresh_inputs(actor=None, round=rnd)


def test_a_large_round_computes_each_branchs_inputs_when_first_opened(meetings_2022, monkeypatch, client_for):
    from django.core.management import call_command
    from django.urls import reverse

    from core.models import AuditEntry

    b = meetings_2022
    monkeypatch.setattr(services, "INLINE_PREFILL_LIMIT", 1)  # two branches count as "large"
    rnd = services.star_round_open(actor=None, organization=b.root, year=2022)
    assert all(r.inputs == [] and r.inputs_at is None for r in rnd.ratings.all())
    rating = rnd.ratings.get(organization=b.b1)
    client = client_for(b.users.sec1)
    page = client.get(reverse("assessment:rating_detail", args=[rating.pk])).content.decode()
    assert "组织生活出勤率" in page
    rating.refresh_from_db()
    expected = get_statistic("meetings.obligations.met").compute(YEAR, b.b1, None).value
    assert by_code(rating)["meetings.obligations.met"]["value"] == expected and rating.inputs_at
    client.get(reverse("assessment:rating_detail", args=[rating.pk]))
    assert AuditEntry.objects.filter(action="assessment.branch_rating.inputs_filled").count() == 1
    # A refresh of a large round marks the inputs stale instead of computing them all at once.
    services.star_round_refresh_inputs(actor=b.users.committee, round=rnd)
    assert not rnd.ratings.filter(inputs_at__isnull=False).exists()
    call_command("prefill_star_inputs", round=rnd.pk, stdout=io.StringIO())
    assert not rnd.ratings.filter(inputs_at__isnull=True).exists()
    assert by_code(rnd.ratings.get(organization=b.b2))["meetings.attendance_rate"]["value"] == (
        get_statistic("meetings.attendance_rate").compute(YEAR, b.b2, None).value
    )
