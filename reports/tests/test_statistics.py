"""Every registered statistic links to a list whose total is the figure; the organizations' and this
app's own figures against counts made independently here (meetings' are checked in meetings)."""

from __future__ import annotations

import datetime
import warnings

import pytest

from core.periods import Period
from core.stats import registered_statistics
from orgs.models import Organization, Person
from reports import builtin
from reports.tests.conftest import total_of
from reports.tests.test_dashboard import KNOWN_INEXACT

pytestmark = pytest.mark.django_db
D = datetime.date
H1 = Period.parse("2022H1")


@pytest.fixture
def data(est, hold):
    b = est
    hold(b.b1, "theme_party_day", D(2022, 1, 10))
    hold(b.b1, "branch_committee_meeting", D(2022, 1, 12))
    hold(b.cell, "cell_meeting", D(2022, 2, 14))
    hold(b.b2, "party_lecture", D(2022, 5, 21), lecturer=b.wang)
    hold(b.root, "topic_meeting", D(2022, 2, 1), code="party_building")
    hold(b.root, "topic_meeting", D(2022, 7, 1), code="party_building")  # outside the half year
    return b


@pytest.mark.parametrize("who", ["committee", "sec1"])
def test_every_registered_statistic_links_to_a_list_with_its_count(data, client_for, who):
    user = getattr(data.users, who)
    org = data.root if who == "committee" else data.b1
    client = client_for(user)
    checked, forbidden = [], []
    for stat in registered_statistics(user):
        value = stat.compute(H1, org, user)
        assert value.url.startswith("/"), stat.code
        status = client.get(value.url).status_code
        if status == 403 and not stat.code.startswith(OURS):
            forbidden.append(stat.code)  # shown to a user who may not open its list: see below
            continue
        assert status == 200, (stat.code, value.url, status)
        if not value.countable or stat.code in KNOWN_INEXACT:
            continue
        assert total_of(client, value.url) == value.value, (stat.code, value.url, value.value)
        checked.append(stat.code)
    assert len(checked) >= 20
    if forbidden:
        # A figure must link to a list the viewer may open: such a statistic should be registered
        # with roles=… (core.stats.register_statistic) so the dashboard and the report leave it out.
        warnings.warn(f"{who}: statistics whose list answers 403: {forbidden}", stacklevel=1)


OURS = ("orgs.", "meetings.", "reports.")


def test_a_statistic_with_roles_is_left_out_for_other_users(data, client_for, monkeypatch):
    from accounts.models import Role
    from core import stats

    monkeypatch.setitem(
        stats._STATS,
        "test.restricted",
        stats.Statistic(
            "test.restricted",
            "仅管理员可见",
            "测试领域",
            lambda *a: stats.StatValue(1, "/"),
            roles=(Role.COMMITTEE_ADMIN,),
        ),
    )
    assert "test.restricted" in [s.code for s in registered_statistics(data.users.committee)]
    assert "test.restricted" not in [s.code for s in registered_statistics(data.users.sec1)]
    assert "测试领域" not in client_for(data.users.sec1).get("/reports/dashboard/").content.decode()


def test_organization_figures_against_an_independent_count(data):
    b = data
    end = H1.end
    people = [p for p in Person.objects.all() if p.org_path.startswith(b.root.path)]
    on_roll = [p for p in people if p.joined_party_on is None or p.joined_party_on <= end]
    expected = {
        "orgs.people.total": len(on_roll),
        "orgs.people.members": sum(p.party_status in ("full", "probationary") for p in on_roll),
        "orgs.branches.count": sum(o.org_type in ("branch", "joint_branch") for o in Organization.objects.all()),
    }
    for status in ("full", "probationary", "activist", "non_member"):
        expected[f"orgs.people.{status}"] = sum(p.party_status == status for p in on_roll)
    assert expected["orgs.people.members"] == 6 and expected["orgs.people.non_member"] == 1  # the fixture's
    found = {s.code: s.compute(H1, b.root, None).value for s in registered_statistics() if s.code in expected}
    assert found == expected


def test_overdue_obligations_against_the_rules(data, client_for):
    """Counted by hand from the rules: a branch owes a 主题党日 every month, a 支部党员大会 and a 党课
    every quarter; with a committee also a 支委会 every month, with cells a 党小组会 every month."""
    b = data
    overdue = list(builtin.filter_obligations(builtin.scope_obligations(H1, b.root, None)))
    by_org = {org: sum(o.organization_id == org.pk for o in overdue) for org in (b.b1, b.b2)}
    # b1: theme 6-1, committee 6-1, cell 6-1, general 2, lecture 2 = 19; b2: theme 6, general 2, lecture 2-1 = 9.
    assert by_org == {b.b1: 19, b.b2: 9}
    assert len(overdue) == 28
    client = client_for(b.users.committee)
    assert total_of(client, builtin.overdue_url(b.root, H1)) == 28
    assert total_of(client, builtin.overdue_url(b.b2, H1)) == 9
    assert (
        total_of(client, builtin.overdue_url(b.root, H1, month="2022-06")) == 5 + 2
    )  # b1: 3 monthly + 2 quarterly; b2 lectured in May


def test_open_tracked_items_against_an_independent_count(data, client_for):
    from core.models import TrackedItem
    from core.tests.conftest import TEST_KIND
    from core.tracking import tracked_item_create, tracked_item_transition

    b = data

    def item(org, days, title):
        return tracked_item_create(
            actor=None, kind=TEST_KIND, title=title, organization=org, start_on=D(2022, 6, 1), duration=days
        )

    item(b.b1, 10, "逾期一")
    item(b.b2, 10, "逾期二")
    item(b.b1, 36500, "远期")
    done = item(b.b1, 10, "已销号")
    tracked_item_transition(actor=None, item=done, to_status="closed", reason="已整改")
    from reports.builtin import tracking_next_steps

    (paragraph,) = tracking_next_steps(H1, b.root, None)
    open_items = [i for i in TrackedItem.objects.all() if i.status != "closed"]
    assert paragraph.figures["open"].value == len(open_items) == 3
    assert paragraph.figures["late"].value == 2
    client = client_for(b.users.committee)
    for fig in paragraph.figures.values():
        assert total_of(client, fig.url) == fig.value
    # A secretary's list holds their branch only.
    assert total_of(client_for(b.users.sec1), builtin.tracked_url(b.b1, "open")) == 2
