"""Statistics, report sections, charts and alerts: each figure equals a count made here, and the
list its link opens shows the same total."""

from __future__ import annotations

import datetime
import re

import pytest

from assessment import periodic_services as ps
from assessment import services
from assessment.models import AssessmentRecord, BranchRating, Grade, StandardizationCheck
from assessment.tests.conftest import scores
from core.periods import Period
from core.stats import collect_alerts, get_statistic, registered_charts, registered_sections
from orgs import services as org_services

pytestmark = pytest.mark.django_db
D = datetime.date
Y2022 = Period.parse("2022")
H1 = Period.parse("2022H1")


def total_of(client, url) -> int:
    html = client.get(url).content.decode()
    return int(re.search(r'data-total="(\d+)"', html).group(1))


def rate(rnd, totals):
    for r in rnd.ratings.all():
        services.star_rating_score(actor=None, rating=r, scores=scores(totals[r.organization_id]))


@pytest.fixture
def rated(bureau):
    """Four branches; 2021: 3★ 3★ 3★ 2★; 2022: 5★ 2★ 3★ 3★ → 2 up, 1 down; plus an unpublished 2023."""
    b = bureau
    extra = [
        org_services.organization_create(
            actor=None, data={"name": n, "code": c, "org_type": "branch", "parent": b.root}
        )
        for n, c in (("第三党支部", "T03"), ("第四党支部", "T04"))
    ]
    b.b3, b.b4 = extra
    last = services.star_round_open(actor=None, organization=b.root, year=2021, historical=True)
    rate(last, {b.b1.pk: 75, b.b2.pk: 75, b.b3.pk: 72, b.b4.pk: 65})
    services.star_round_publish(actor=None, round=last, on=D(2022, 1, 10))
    rnd = services.star_round_open(actor=None, organization=b.root, year=2022)
    rnd = services.star_round_start_scoring(actor=None, round=rnd)
    rate(rnd, {b.b1.pk: 92, b.b2.pk: 65, b.b3.pk: 74, b.b4.pk: 71})
    services.star_round_publish(actor=None, round=rnd, on=D(2023, 1, 10))
    later = services.star_round_open(actor=None, organization=b.root, year=2023)
    services.star_round_start_scoring(actor=None, round=later)
    items = services.standardization_items(2022)
    services.standardization_update(
        actor=None,
        organization=b.b4,
        year=2022,
        rows=[(i, n > 2, "差距" if n <= 2 else "") for n, i in enumerate(items)],
    )
    services.standardization_update(actor=None, organization=b.b1, year=2022, rows=[(i, True, "") for i in items])
    return b


def test_star_statistics_equal_independent_counts_and_their_lists(rated, client_for):
    b = rated
    client = client_for(b.users.committee)
    published = BranchRating.objects.filter(year=2022, round__status__in=["public_notice", "finalized"])
    expected = {
        "assessment.stars.rated": published.count(),
        "assessment.stars.five": published.filter(final_stars=5).count(),
        "assessment.stars.three": published.filter(final_stars=3).count(),
        "assessment.stars.two": published.filter(final_stars=2).count(),
        "assessment.stars.one": 0,
        "assessment.stars.upgraded": sum(1 for r in published if r.final_stars > r.previous_stars),
        "assessment.stars.declined": sum(1 for r in published if r.final_stars < r.previous_stars),
        "assessment.standardization.missing": StandardizationCheck.objects.filter(year=2022, met=False).count(),
    }
    assert expected["assessment.stars.upgraded"] == 2 and expected["assessment.stars.declined"] == 1
    assert expected["assessment.standardization.missing"] == 3
    for period in (Y2022, H1):
        for code, value in expected.items():
            stat = get_statistic(code).compute(period, b.root, None)
            assert stat.value == value, code
            assert total_of(client, stat.url) == value, (code, stat.url)
    # 2023 is not published yet: nothing counted.
    assert get_statistic("assessment.stars.rated").compute(Period.parse("2023"), b.root, None).value == 0
    # Scoped to one branch.
    assert get_statistic("assessment.stars.upgraded").compute(Y2022, b.b1, None).value == 1
    assert get_statistic("assessment.stars.declined").compute(Y2022, b.b1, None).value == 0


def test_a_branch_secretary_counts_only_their_branch(rated):
    b = rated
    stat = get_statistic("assessment.stars.rated").compute(Y2022, b.root, b.users.sec1)
    assert stat.value == 1


def test_star_report_paragraph(rated):
    section = next(s for s in registered_sections() if s.code == "assessment.star_rating")
    assert section.chapter == "organization"
    paragraphs = section.build(H1, rated.root, None)
    text = paragraphs[0].plain()
    assert text == (
        "2022年度4个党支部参加评星定级，评定五星级1个、三星级2个、二星级1个，2个党支部晋位升级，1个党支部星级下降。"
    )
    for key, value in paragraphs[0].figures.items():
        assert f"{{{key}}}" in paragraphs[0].text and value.url
    assert (
        paragraphs[1].plain() == "对照党支部标准化规范化建设标准逐项核对，1个党支部尚有3项未达标，已逐项明确整改方向。"
    )


@pytest.fixture
def assessed(bureau):
    b = bureau
    for quarter, excellent in ((1, [b.zhang, b.sec1_person]), (2, [b.zhang])):
        rnd = ps.assessment_round_open(actor=None, organization=b.root, unit=b.organ, year=2022, quarter=quarter)
        for r in rnd.records.all():
            ps.assessment_summary_submit(actor=None, record=r, summary="本季度完成了岗位各项工作任务。", on_behalf=True)
            value = 95 if r.person in excellent else (50 if r.person == b.wang else 85)
            ps.assessment_record_score(
                actor=None,
                record=r,
                scores=dict.fromkeys(("de", "neng", "qin", "ji", "lian"), value),
                as_committee=True,
            )
        ps.assessment_round_confirm(actor=None, round=ps.assessment_round_review(actor=None, round=rnd))
    # Q3 still open: not counted.
    ps.assessment_round_open(actor=None, organization=b.root, unit=b.organ, year=2022, quarter=3)
    return b


def test_assessment_statistics_equal_independent_counts_and_their_lists(assessed, client_for):
    b = assessed
    client = client_for(b.users.committee)
    confirmed = AssessmentRecord.objects.filter(year=2022, quarter__in=[1, 2], status="confirmed")
    expected = {
        "assessment.people": confirmed.count(),
        "assessment.leaders": confirmed.filter(is_leader=True).count(),
        "assessment.grades.excellent": confirmed.filter(final_grade=Grade.EXCELLENT).count(),
        "assessment.grades.good": confirmed.filter(final_grade=Grade.GOOD).count(),
        "assessment.grades.poor": confirmed.filter(final_grade=Grade.POOR).count(),
    }
    assert expected == {
        "assessment.people": 14,
        "assessment.leaders": 2,
        "assessment.grades.excellent": 3,
        "assessment.grades.good": 9,
        "assessment.grades.poor": 2,
    }
    for period in (Y2022, H1):
        for code, value in expected.items():
            stat = get_statistic(code).compute(period, b.root, None)
            assert stat.value == value, code
            assert total_of(client, stat.url) == value, (code, stat.url)
    q1 = get_statistic("assessment.grades.excellent").compute(Period.parse("2022Q1"), b.root, None)
    assert q1.value == 2 and total_of(client, q1.url) == 2
    # A month contains no whole quarter.
    assert get_statistic("assessment.people").compute(Period.parse("2022-03"), b.root, None).value == 0


def test_assessment_report_paragraph(assessed):
    section = next(s for s in registered_sections() if s.code == "assessment.periodic")
    assert section.chapter == "team"
    [paragraph] = section.build(H1, assessed.root, None)
    text = paragraph.plain()
    assert "领导干部与机关干部一同纳入考核，第一、二季度共考核14人次（其中领导干部2人次），其中“好”等次3人次。" in text
    [q1] = section.build(Period.parse("2022Q1"), assessed.root, None)
    assert "第一季度共考核7人（其中领导干部1人），其中“好”等次2人。" in q1.plain()
    assert section.build(Period.parse("2021"), assessed.root, None) == []


def test_charts_points_link_to_lists_with_their_value(rated, assessed, client_for):
    client = client_for(rated.users.committee)
    charts = {c.code: c for c in registered_charts() if c.area == "考核评价"}
    stars = charts["assessment.stars.distribution"].build(Y2022, rated.root, None)
    assert [s.name for s in stars.series] == ["2021年度", "2022年度"]
    this_year = {p.label: p.value for p in stars.series[1].points}
    assert this_year == {"五星级": 1, "四星级": 0, "三星级": 2, "二星级": 1, "一星级": 0}
    grades = charts["assessment.grades.distribution"].build(H1, rated.root, None)
    assert [p.label for p in grades.series[0].points] == ["第一季度", "第二季度"]
    for chart in (stars, grades):
        for series in chart.series:
            for point in series.points:
                assert total_of(client, point.url) == point.value, (chart.title, series.name, point.label)


def test_alerts_name_the_declined_and_lagging_branches(rated, client_for):
    client = client_for(rated.users.committee)
    alerts = [a for a in collect_alerts(Y2022, rated.root, None) if a.url.startswith("/assessment/")]
    texts = [a.text for a in alerts]
    assert "机关第二党支部2022年度评定为二星，较上年（三星）下降" in texts
    assert "第四党支部支部标准化规范化建设尚有3项未达标" in texts
    assert len(alerts) == 2
    for a in alerts:
        assert total_of(client, a.url) == a.count, a.text


def test_assessment_figures_are_for_assessment_readers_only(bureau):
    for code in ("assessment.people", "assessment.leaders", "assessment.grades.excellent"):
        stat = get_statistic(code)
        assert stat.visible_to(bureau.users.committee) and stat.visible_to(bureau.users.leader)
        assert not stat.visible_to(bureau.users.sec1)  # a branch secretary may not open the records
    assert get_statistic("assessment.stars.rated").visible_to(bureau.users.sec1)


def test_next_steps_from_what_is_still_open(rated):
    from core.stats import registered_next_steps

    source = next(s for s in registered_next_steps() if s.code == "assessment.standardization")
    [paragraph] = source.build(Y2022, rated.root, None)
    assert paragraph.plain() == (
        "按照党支部标准化规范化建设标准，对尚未达标的3项逐项整改、限期销号；"
        "扎实推进党支部评星定级，推动1个二星级及以下党支部晋位升级，培树过硬党支部。"
    )
    assert source.build(Period.parse("2019"), rated.root, None) == []
