"""The monthly summary (supervision.summary) kept by the services equals a recount from the
problems after every kind of change, and the statistics read from it equal the problems counted
directly (and the ledgers they link to)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.periods import Period
from supervision import services, stats, summary
from supervision.models import Problem, ProblemMonthSummary, ProblemSource
from supervision.tests.conftest import walk_to_closed

pytestmark = pytest.mark.django_db
D = datetime.date


def stored() -> dict[tuple, dict]:
    """The summary's rows, without rows that count nothing."""
    rows = {}
    for r in ProblemMonthSummary.objects.all():
        values = {k: getattr(r, k) for k in summary.COLUMNS}
        assert r.level == r.path.count(".")
        if any(values.values()):
            rows[(r.path, r.source, r.span, r.month)] = values
    return rows


def recount() -> dict[tuple, dict]:
    """The rows counted in Python from the problems, independently of supervision.summary."""
    rows: dict[tuple, Counter] = defaultdict(Counter)
    for p in Problem.objects.all():
        parts = [s for s in p.org_path.split(".") if s]
        for i in range(1, len(parts) + 1):
            path = "".join(f"{s}." for s in parts[:i])
            for span, start in ((1, lambda d: D(d.year, d.month, 1)), (12, lambda d: D(d.year, 1, 1))):
                found = rows[(path, p.source, span, start(p.found_on))]
                found["found"] += 1
                if p.status != "closed":
                    found[p.status] += 1
                if p.closed_on:
                    closed = rows[(path, p.source, span, start(p.closed_on))]
                    closed["closed"] += 1
                    closed["on_time"] += int(p.closed_on <= p.due_on)
    return {k: {c: v[c] for c in summary.COLUMNS} for k, v in rows.items() if any(v.values())}


def assert_summary_consistent():
    expected = recount()
    assert stored() == expected
    summary.rebuild()
    assert stored() == expected


@pytest.fixture
def ledger(bureau, make_problem, inspection):
    """Problems in three organizations over two years and several months, in every state."""
    cell = bureau.cell
    made = {
        "b1_pending": make_problem(bureau.b1, found_on=D(2023, 11, 20), deadline=D(2023, 12, 31)),
        "b1_star": make_problem(
            bureau.b1, source=ProblemSource.STAR_RATING, found_on=D(2024, 1, 10), deadline=D(2024, 2, 29)
        ),
        "b2_insp": make_problem(
            bureau.b2,
            source=ProblemSource.INSPECTION,
            inspection=inspection,
            found_on=D(2024, 1, 31),
            deadline=D(2024, 3, 1),
        ),
        "cell": make_problem(cell, found_on=D(2024, 2, 1), deadline=D(2024, 2, 15)),
        "root": make_problem(
            bureau.root, found_on=D(2024, 3, 5), deadline=timezone.localdate() + datetime.timedelta(30)
        ),
    }
    return made


def test_creates_counted_in_every_ancestor(bureau, ledger):
    assert_summary_consistent()
    row = ProblemMonthSummary.objects.get(
        path=bureau.root.path, source=ProblemSource.SELF_INSPECTION, span=1, month=D(2024, 2, 1)
    )
    assert (row.found, row.pending, row.level) == (1, 1, 1)  # the cell's problem, counted at the root
    assert ProblemMonthSummary.objects.filter(path=bureau.cell.path).count() == 2  # its month and its year


def test_transitions_extensions_and_updates_keep_the_summary(bureau, ledger):
    c, sec1 = bureau.users.committee, bureau.users.sec1
    p = ledger["b1_pending"]
    services.problem_report_progress(actor=sec1, problem=p, content="已开始整改", reported_on=D(2023, 12, 1))
    assert_summary_consistent()
    p = services.problem_apply_closure(actor=sec1, problem=Problem.objects.get(pk=p.pk), note="完成")
    assert_summary_consistent()
    p = services.problem_return(actor=c, problem=p, reason="佐证不足")
    assert_summary_consistent()
    services.problem_update(actor=c, problem=p, data={"measures": "补充佐证材料"})
    assert_summary_consistent()
    request = services.problem_request_extension(actor=sec1, problem=p, new_due_on=D(2024, 3, 31), reason="材料多")
    services.problem_decide_extension(actor=c, request=request, approve=True)
    assert_summary_consistent()
    p = services.problem_apply_closure(actor=sec1, problem=Problem.objects.get(pk=p.pk), note="完成")
    services.problem_close(actor=c, problem=p, verification="合格", closed_on=D(2024, 3, 10))  # on time (extended)
    walk_to_closed(ledger["b1_star"], bureau, closed_on=D(2024, 4, 2))  # late, closed in another month
    walk_to_closed(ledger["cell"], bureau, closed_on=D(2024, 2, 10))
    assert_summary_consistent()
    march = ProblemMonthSummary.objects.get(
        path=bureau.b1.path, source=ProblemSource.SELF_INSPECTION, span=1, month=D(2024, 3, 1)
    )
    assert (march.closed, march.on_time, march.found) == (1, 1, 0)
    year = ProblemMonthSummary.objects.get(path=bureau.b1.path, source=ProblemSource.STAR_RATING, span=12)
    assert (year.month, year.found, year.closed, year.on_time) == (D(2024, 1, 1), 1, 1, 0)
    april = ProblemMonthSummary.objects.get(
        path=bureau.root.path, source=ProblemSource.STAR_RATING, span=1, month=D(2024, 4, 1)
    )
    assert (april.closed, april.on_time) == (1, 0)


def test_a_failed_change_leaves_the_summary_alone(bureau, ledger):
    before = stored()
    with pytest.raises(Exception):  # noqa: B017, PT011 - a refused transition, whichever error
        services.problem_close(actor=bureau.users.committee, problem=ledger["cell"], verification="合格")
    assert stored() == before


def test_the_summary_follows_a_moved_subtree(bureau, ledger):
    """A 党小组 moved to the other branch: its problems leave branch 1's rows and join branch 2's."""
    from orgs import services as org_services

    cell_problem = ledger["cell"]
    old_b1 = ProblemMonthSummary.objects.get(
        path=bureau.b1.path, source=cell_problem.source, span=12, month=D(2024, 1, 1)
    )
    org_services.organization_update(actor=bureau.users.admin, org=bureau.cell, data={"parent": bureau.b2})
    bureau.cell.refresh_from_db()
    cell_problem.refresh_from_db()
    assert cell_problem.org_path == bureau.cell.path and bureau.cell.path.startswith(bureau.b2.path)
    b1 = ProblemMonthSummary.objects.get(pk=old_b1.pk)
    assert b1.found == old_b1.found - 1
    assert_summary_consistent()


def test_rebuild_command_repairs_the_summary(bureau, ledger):
    expected = recount()
    ProblemMonthSummary.objects.filter(path=bureau.b1.path).delete()
    ProblemMonthSummary.objects.filter(path=bureau.root.path).update(found=99)
    assert stored() != expected
    call_command("rebuild_problem_summary", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert stored() == expected


PERIODS = [
    "2024",
    "2024H1",
    "2024Q1",
    "2024-02",
    "2023-11-01..2024-03-31",
    "2023-01-01..2024-12-31",
    "2023-12-01..2024-12-31",
    "2022-01-01..2026-12-31",
]


def raw(monkeypatch, func, *args):
    """`func` computed from the problems themselves (the summary switched off)."""
    with monkeypatch.context() as m:
        m.setattr(summary, "usable", lambda *a: False)
        return func(*args)


@pytest.mark.parametrize("code", PERIODS)
def test_statistics_from_the_summary_equal_the_problems(bureau, ledger, monkeypatch, code):
    c = bureau.users.committee
    walk_to_closed(ledger["b1_star"], bureau, closed_on=D(2024, 4, 2))
    walk_to_closed(ledger["cell"], bureau, closed_on=D(2024, 2, 10))
    period = Period.parse(code)
    for org in (bureau.root, bureau.b1, bureau.b2):
        for user in (None, c):
            assert summary.usable(period, org, user)
            assert stats.figures(period, org, user) == raw(monkeypatch, stats.figures, period, org, user)
            assert dict(stats.breakdown(period, org, user)) == dict(
                raw(monkeypatch, stats.breakdown, period, org, user)
            )
            for chart in (stats.chart_by_source, stats.chart_by_status):
                assert chart(period, org, user) == raw(monkeypatch, chart, period, org, user)
            for stat in (stats.closed_star_rating, stats.report_problems):
                assert stat(period, org, user).value == raw(monkeypatch, stat, period, org, user).value
    # The overdue figure follows today: the open problems past their deadline.
    figures = stats.figures(Period.parse("2022-01-01..2026-12-31"), bureau.root, c)
    assert figures["overdue"] == 2  # b1's and b2's open problems (the root's is not yet due)


def test_summary_only_for_whole_months_and_whole_subtrees(bureau, ledger, monkeypatch):
    assert not summary.usable(Period.parse("2024-01-02..2024-03-31"), bureau.root, None)
    assert not summary.usable(Period.parse("2024-01-01..2024-03-30"), bureau.root, None)
    # A branch secretary sees b1's subtree, not the root's: counted from the problems they see.
    assert summary.usable(Period.parse("2024"), bureau.b1, bureau.users.sec1)
    assert not summary.usable(Period.parse("2024"), bureau.root, bureau.users.sec1)
    figures = stats.figures(Period.parse("2024"), bureau.root, bureau.users.sec1)
    assert figures["found"] == 2  # b1's star-rating problem and the cell's
    part = Period.parse("2024-01-15..2024-02-10")
    assert stats.figures(part, bureau.root, None)["found"] == 2  # b2 on 31 January, the cell on 1 February


# ---------------------------------------------------------------------- the ledger's total and pages

LEDGER_FILTERS = [
    {},
    {"status": "open"},
    {"status": "closed"},
    {"status": "pending"},
    {"status": "in_progress"},
    {"source": ProblemSource.STAR_RATING},
    {"period": "2024"},
    {"period": "2024Q1", "status": "open"},
    {"period": "2023-11-01..2024-12-31"},
    {"period": "2023-01-01..2024-01-31", "status": "pending"},
    {"closed": "2024-04"},
    {"closed": "2024", "status": "closed", "source": ProblemSource.STAR_RATING},
    {"org": "b1"},
    {"org": "b1", "period": "2024-01-01..2024-02-29"},
    {"org": "cell", "status": "closed"},
]


@pytest.mark.parametrize("params", LEDGER_FILTERS)
@pytest.mark.parametrize("user_key", ["admin", "committee", "sec1", "nobody_with_grant"])
def test_ledger_total_from_the_summary_equals_the_problems(bureau, ledger, params, user_key):
    from supervision import selectors

    walk_to_closed(ledger["b1_star"], bureau, closed_on=D(2024, 4, 2))
    walk_to_closed(ledger["cell"], bureau, closed_on=D(2024, 2, 10))
    user = None if user_key == "nobody_with_grant" else getattr(bureau.users, user_key)
    params = {k: (str(getattr(bureau, v).pk) if k == "org" else v) for k, v in params.items()}
    if user_key == "sec1" and params.get("org") not in (None, str(bureau.b1.pk), str(bureau.cell.pk)):
        params.pop("org", None)
    qs, f = selectors.problems_from_params(user, params)
    n = selectors.summary_count(user, f)
    assert n is not None, params
    assert n == qs.count()


def test_ledger_total_falls_back_to_counting(bureau, ledger):
    from supervision import selectors

    c = bureau.users.committee
    for params in (
        {"q": "三会"},
        {"urgency": "overdue"},
        {"own": "1", "org": str(bureau.b1.pk)},
        {"period": "2024-01-02..2024-03-31"},
        {"period": "2024", "closed": "2024"},
        {"ontime": "1"},
    ):
        _qs, f = selectors.problems_from_params(c, params)
        assert selectors.summary_count(c, f) is None, params


def test_ledger_pages_read_by_ids_equal_the_slices(bureau, make_problem, client_for):
    from supervision import selectors

    for i in range(25):
        make_problem(bureau.b1 if i % 2 else bureau.b2, found_on=D(2024, 1, 1 + i % 5), description=f"问题{i}")
    qs, _ = selectors.problems_from_params(bureau.users.committee, {"sort": "due_on"})
    for bottom, top in ((0, 10), (10, 20), (20, 25)):
        assert list(selectors.page_of(qs, bottom, top)) == list(qs[bottom:top])
    page2 = client_for(bureau.users.committee).get(reverse("supervision:problem_list"), {"page": 2})
    assert page2.status_code == 200
    shown = [p.pk for p, _u, _d in page2.context["rows"]]
    assert shown == [p.pk for p in qs.order_by("-found_on", "-id")[20:25]]
    assert page2.context["page_obj"].paginator.count == 25


# ---------------------------------------------------------------------- free-text search


def test_search_semantics(bureau, make_problem):
    from supervision import selectors

    c = bureau.users.committee
    rows = {
        "latin": make_problem(bureau.b1, description="PPT 材料不全", measures="补齐ppt"),
        "chinese": make_problem(bureau.b1, description="党费收缴台账登记不及时"),
        "note": make_problem(bureau.b2, description="其他问题", source_note="巡察反馈第3条"),
        "person": make_problem(bureau.cell, description="学习不够", responsible_person=bureau.qian),
        "percent": make_problem(bureau.b2, description="完成率50%以下"),
    }

    def found(q):
        qs, _ = selectors.problems_from_params(c, {"q": q})
        return {k for k, p in rows.items() if qs.filter(pk=p.pk).exists()}

    assert found("ppt") == found("PpT") == {"latin"}  # any letter case
    assert found("台账") == {"chinese"}  # two characters: no trigram, still found
    assert found("收缴台账登记") == {"chinese"}
    assert found("巡察反馈") == {"note"}
    assert found("钱七") == found("qq") == {"person"}  # the responsible person by name or initials
    assert found("50%") == {"percent"}  # % is a character, not a wildcard
    assert found("5_%") == set()


def test_search_with_many_people_uses_a_subquery(bureau, make_problem, monkeypatch):
    from supervision import selectors

    p = make_problem(bureau.cell, description="学习不够", responsible_person=bureau.qian)
    make_problem(bureau.b1, description="其他")
    monkeypatch.setattr(selectors, "SEARCH_PEOPLE_LIMIT", 0)  # any match is "many"
    qs, _ = selectors.problems_from_params(bureau.users.committee, {"q": "钱七"})
    assert list(qs) == [p]


def test_statistics_tables_escape_names(bureau, ledger, client_for):
    from orgs.models import Organization

    Organization.objects.filter(pk=bureau.b1.pk).update(name="第一<b>支部</b>&")
    response = client_for(bureau.users.committee).get(
        reverse("supervision:problem_stats"), {"org": bureau.root.pk, "period": "2024"}
    )
    html = response.content.decode()
    assert "第一&lt;b&gt;支部&lt;/b&gt;&amp;" in html
    assert "<b>支部</b>" not in html
    # sources and their total; the root's own problem (本级), b1 and b2
    assert html.count('data-stat="found"') == len(ProblemSource.choices) + 1 + 3


def test_a_free_text_search_is_counted_up_to_a_cap(bureau, make_problem, client_for, monkeypatch):
    from supervision import views_problems

    for i in range(4):
        make_problem(bureau.b1, description=f"台账登记不全{i}")
    make_problem(bureau.b2, description="其他问题")
    url = reverse("supervision:problem_list")
    client = client_for(bureau.users.committee)
    page = client.get(url, {"q": "台账"})
    assert page.context["page_obj"].paginator.count == 4
    assert 'data-total="4"' in page.content.decode()
    monkeypatch.setattr(views_problems, "SEARCH_COUNT_CAP", 3)
    page = client.get(url, {"q": "台账"})
    html = page.content.decode()
    assert page.context["page_obj"].paginator.count == 3
    assert '超过 <strong id="list-total">3</strong> 条' in html and "data-total=" not in html
    # Without a search term the total is exact (from the summary).
    assert client.get(url).context["page_obj"].paginator.count == 5
