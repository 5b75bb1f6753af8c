"""Statistics equal independent counts, and each one's link lists exactly that many records;
the report paragraph, alerts and charts."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from core.periods import Period
from core.stats import collect_alerts, get_statistic, registered_charts
from supervision import services, stats
from supervision.models import Problem, ProblemSource
from supervision.reminders import ESCALATION, send_problem_reminders
from supervision.tests.conftest import walk_to_closed

pytestmark = pytest.mark.django_db
D = datetime.date
CODES = [
    "supervision.inspections.count",
    "supervision.inspections.field_visits",
    "supervision.secretary_reports.secretaries",
    "supervision.secretary_reports.problems",
    "supervision.problems.found",
    "supervision.problems.in_progress",
    "supervision.problems.closed",
    "supervision.problems.closed_on_time",
    "supervision.problems.overdue",
    "supervision.problems.closed_star_rating",
    "supervision.escalations.count",
]


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return int(re.search(r'id="list-total">([\d,]+)<', response.content.decode()).group(1).replace(",", ""))


@pytest.fixture
def world(bureau, make_problem, inspection):
    """2022H1: an inspection with 2 field visits (1 in H2), a 述职 with 3 problems, star-rating
    problems closed on time and late, a problem of branch 2 still open and overdue."""
    c = bureau.users.committee
    for org, day, method in (
        (bureau.b1, D(2022, 4, 20), "field"),
        (bureau.b2, D(2022, 4, 22), "field"),
        (bureau.b1, D(2022, 4, 25), "documents"),
        (bureau.b2, D(2022, 8, 1), "field"),
    ):
        services.visit_add(actor=c, inspection=inspection, organization=org, visited_on=day, method=method)
    report = services.report_create(
        actor=c,
        data={"organization": bureau.b1, "secretary": bureau.sec1_person, "year": 2021, "held_on": D(2022, 1, 25)},
    )
    services.report_create(
        actor=c,
        data={"organization": bureau.b2, "secretary": bureau.sec2_person, "year": 2021, "held_on": D(2022, 1, 25)},
    )
    for text in ("理论学习不深入", "党小组作用不够", "发展党员计划性不强"):
        make_problem(
            bureau.b1,
            source=ProblemSource.SECRETARY_REPORT,
            secretary_report=report,
            found_on=D(2022, 1, 25),
            deadline=D(2022, 6, 30),
            description=text,
        )
    star = [
        make_problem(
            bureau.b1,
            source=ProblemSource.STAR_RATING,
            found_on=D(2022, 1, 10),
            deadline=D(2022, 3, 31),
            description=f"评星问题{i}",
        )
        for i in range(3)
    ]
    walk_to_closed(star[0], bureau, closed_on=D(2022, 3, 1))
    walk_to_closed(star[1], bureau, closed_on=D(2022, 4, 10))  # late
    walk_to_closed(star[2], bureau, closed_on=D(2022, 7, 5))  # closed in H2
    make_problem(
        bureau.b2,
        source=ProblemSource.INSPECTION,
        inspection=inspection,
        found_on=D(2022, 5, 27),
        deadline=D(2022, 7, 31),
        description="督导反馈问题",
    )
    send_problem_reminders(timezone.localdate(), stages=(ESCALATION,))
    return Period.parse("2022H1")


def independent(period: Period, root) -> dict[str, int]:
    """The same figures counted directly in Python from the rows."""
    rows = list(Problem.objects.filter(org_path__startswith=root.path))
    today = timezone.localdate()
    found = [p for p in rows if p.found_on in period]
    closed = [p for p in rows if p.closed_on and p.closed_on in period]
    from supervision.models import Inspection, InspectionVisit, SecretaryReport

    return {
        "supervision.inspections.count": sum(1 for i in Inspection.objects.all() if i.start_on in period),
        "supervision.inspections.field_visits": sum(
            1 for v in InspectionVisit.objects.all() if v.method == "field" and v.visited_on in period
        ),
        "supervision.secretary_reports.secretaries": sum(
            1 for r in SecretaryReport.objects.all() if r.held_on in period
        ),
        "supervision.secretary_reports.problems": sum(1 for p in found if p.source == "secretary_report"),
        "supervision.problems.found": len(found),
        "supervision.problems.in_progress": sum(1 for p in found if p.is_open),
        "supervision.problems.closed": len(closed),
        "supervision.problems.closed_on_time": sum(1 for p in closed if p.closed_on <= p.due_on),
        "supervision.problems.overdue": sum(1 for p in found if p.is_open and p.due_on < today),
        "supervision.problems.closed_star_rating": sum(1 for p in closed if p.source == "star_rating"),
        "supervision.escalations.count": sum(
            1 for p in rows if hasattr(p, "escalation") and p.escalation.issued_on in period
        ),
    }


@pytest.mark.parametrize("user_key", [None, "committee", "leader"])
def test_statistics_equal_independent_counts_and_their_lists(bureau, world, client_for, user_key):
    period = world
    user = getattr(bureau.users, user_key) if user_key else None
    expected = independent(period, bureau.root)
    assert (
        expected["supervision.inspections.field_visits"] == 2
        and expected["supervision.secretary_reports.problems"] == 3
    )
    client = client_for(bureau.users.committee)
    for code in CODES:
        value = get_statistic(code).compute(period, bureau.root, user)
        assert value.value == expected[code], code
        assert listed(client, value.url) == value.value, (code, value.url)
    rate = get_statistic("supervision.problems.on_time_rate").compute(period, bureau.root, user)
    assert rate.value == 50.0 and rate.unit == "%"  # 1 of the 2 closed in H1 was on time
    assert listed(client, rate.url) == 2  # the link lists the closed ones (the denominator)


def test_statistics_follow_the_organization_and_the_user(bureau, world):
    period = world
    b2 = get_statistic("supervision.problems.found").compute(period, bureau.b2, None)
    assert b2.value == 1
    overdue = get_statistic("supervision.problems.overdue").compute
    assert overdue(period, bureau.root, None).value == 4
    assert overdue(period, bureau.root, bureau.users.sec1).value == 3  # the 述职 problems of branch 1
    assert overdue(period, bureau.root, bureau.users.sec2).value == 1  # branch 1's are not branch 2's business
    assert get_statistic("supervision.problems.on_time_rate").compute(Period.parse("2021"), bureau.root).value == 0.0


def test_breakdowns_by_source_and_organization(bureau, world):
    sources = stats.by_source(world, bureau.root)
    by = {r["label"]: r for r in sources}
    assert by["书记述职评议"]["found"] == 3 and by["评星定级"]["closed"] == 2 and by["评星定级"]["rate"] == 50.0
    assert by["合计"]["found"] == 7 and by["合计"]["total"]
    orgs = {r["label"]: r for r in stats.by_organization(world, bureau.root)}
    assert orgs["机关第一党支部"]["found"] == 6 and orgs["机关第二党支部"]["overdue"] == 1
    assert "测试局机关党委（本级）" not in orgs  # no problems of the root itself


def test_report_section_writes_the_seed_sentences(bureau, world):
    section = stats.rectification_section(world, bureau.root)
    text = "\n".join(p.plain() for p in section)
    assert "针对市直机关工委第二督导组2022年第二轮党建督导检查反馈情况，逐条梳理反馈问题1项" in text
    assert (
        "2个党支部书记围绕自身基层党建工作和全面从严治党工作共排查问题3项，明确具体整改方向，建立问题整改台账" in text
    )
    assert "完成问题整改2项" in text and "实地督导检查2次" in text and "其中4项逾期未整改" in text
    for paragraph in section:
        for key in re.findall(r"{(\w+)}", paragraph.text):
            assert key in paragraph.figures and paragraph.figures[key].url


def test_alerts_and_charts(bureau, world):
    alerts = collect_alerts(world, bureau.root)
    overdue = [a for a in alerts if "逾期未销号" in a.text]
    assert overdue and overdue[0].count == 4 and overdue[0].topic == "supervision" and overdue[0].level == "danger"
    assert "（机关第一党支部3项、机关第二党支部1项）" in overdue[0].text
    charts = {c.code: c for c in registered_charts() if c.code.startswith("supervision.")}
    chart = charts["supervision.problems_by_source"].build(world, bureau.root)
    star = [p for s in chart.series for p in s.points if p.label == "评星定级"]
    assert sum(p.value for p in star) == 3 and all("source=star_rating" in p.url for p in star)
    pie = charts["supervision.problems_by_status"].build(world, bureau.root)
    assert sum(p.value for p in pie.series[0].points) == 7
