"""The stored coverage (duties.coverage) gives every item the state the per-item computation gives
(duties.fulfilment.states, the reference), after each kind of change to its sources."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.periods import Period
from duties import coverage, selectors, services
from duties.fulfilment import DONE, MISSING, OPEN, states
from duties.models import Frequency, FulfilmentBuild, FulfilmentHit, LiaisonKind, ResponsibilityItem
from duties.stats import responsibility_without_evidence
from duties.tests.test_fulfilment import evidence, make_item, topic
from duties.tests.test_views import total
from meetings import services as meeting_services

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 26)
PERIODS = [Period.parse(c) for c in ("2022H1", "2022", "2022Q2", "2022-03", "2021", "2026H2", "2022-02-10..2022-08-01")]


def assert_agree(bureau, today=TODAY):
    """For every period and state: the SQL filter and count equal the per-item computation."""
    scopes = [bureau.root, bureau.b1]
    for org in scopes:
        qs = ResponsibilityItem.objects.filter(org_path__startswith=org.path)
        for period in PERIODS:
            reference = states(qs, period, today=today)
            for status in (MISSING, DONE, OPEN):
                expected = sorted(pk for pk, st in reference.items() if st == status)
                got = sorted(selectors.with_status(qs, period, status, today=today).values_list("pk", flat=True))
                assert got == expected, (org.name, period.code, status)
            count = selectors.missing_count(org, period, today=today)
            assert count == sum(st == MISSING for st in reference.values()), (org.name, period.code)
    return True


@pytest.fixture
def items(bureau):
    return {
        "quarter": make_item(bureau, Frequency.QUARTER, content="季度"),
        "month": make_item(bureau, Frequency.MONTH, content="月度"),
        "year": make_item(bureau, Frequency.YEAR, content="年度"),
        "once": make_item(bureau, Frequency.ONCE, content="一次"),
        "half": make_item(bureau, Frequency.HALF, content="半年"),
        "topic": make_item(bureau, derived="meetings.topic.party_building", content="专题会"),
        "topic_b1": make_item(bureau, derived="meetings.topic.party_building", content="支部专题会", org=bureau.b1),
        "kind": make_item(bureau, Frequency.HALF, derived="meetings.kind.topic_meeting", content="专题会议"),
        "liaison": make_item(bureau, derived="duties.liaison.activities", content="联系", org=bureau.b1),
        "other": make_item(bureau, Frequency.QUARTER, derived="duties.risks.points", content="风险点"),
    }


def test_entered_evidence_added_deleted_restored(bureau, items):
    assert assert_agree(bureau)
    q1 = evidence(items["quarter"], "2022Q1")
    evidence(items["quarter"], "2022Q2")
    evidence(items["month"], "2022-02")
    evidence(items["year"], "2022")
    once = evidence(items["once"], "2021")
    evidence(items["half"], "2022H1")
    assert assert_agree(bureau)
    qs = ResponsibilityItem.objects.filter(pk=items["quarter"].pk)
    assert list(selectors.with_status(qs, PERIODS[0], DONE, today=TODAY)) == [items["quarter"]]
    services.record_delete(actor=None, obj=q1)
    services.record_delete(actor=None, obj=once)
    assert assert_agree(bureau)
    assert list(selectors.with_status(qs, PERIODS[0], MISSING, today=TODAY)) == [items["quarter"]]
    services.record_restore(actor=None, obj=q1)
    services.record_restore(actor=None, obj=once)
    assert assert_agree(bureau)
    assert list(selectors.with_status(qs, PERIODS[0], DONE, today=TODAY)) == [items["quarter"]]
    # Evidence edited to another period moves with it.
    services.record_update(actor=None, obj=q1, data={"period_code": "2022Q3"})
    assert assert_agree(bureau)


def test_meetings_created_moved_deleted_restored(bureau, items):
    first = topic(bureau, "party_building", D(2022, 2, 18))
    topic(bureau, "integrity", D(2022, 5, 10))
    assert assert_agree(bureau)
    branch = meeting_services.meeting_create(
        actor=None,
        data={
            "organization": bureau.b1,
            "kind": "topic_meeting",
            "subtype": first.subtype,
            "held_on": D(2022, 4, 3),
            "topic": "支部专题",
        },
    )
    assert assert_agree(bureau)
    assert FulfilmentHit.objects.filter(source=coverage.MEETING, object_id=branch.pk).count() == 3
    meeting_services.meeting_update(actor=None, meeting=first, data={"held_on": D(2022, 8, 5)})
    assert assert_agree(bureau)
    meeting_services.meeting_update(actor=None, meeting=branch, data={"organization": bureau.b2})
    assert assert_agree(bureau)
    meeting_services.meeting_delete(actor=None, meeting=first)
    assert assert_agree(bureau)
    assert not FulfilmentHit.objects.filter(source=coverage.MEETING, object_id=first.pk).exists()
    meeting_services.meeting_restore(actor=None, meeting=first)
    assert assert_agree(bureau)


def test_a_moved_subtree_counts_for_its_new_ancestors(bureau, items):
    """A 党小组 moved to branch 2: its meetings stop covering branch 1's items and cover branch 2's."""
    from orgs import services as org_services

    b1_item = make_item(
        bureau, Frequency.QUARTER, derived="meetings.kind.cell_meeting", content="党小组会", org=bureau.b1
    )
    b2_item = make_item(
        bureau, Frequency.QUARTER, derived="meetings.kind.cell_meeting", content="党小组会", org=bureau.b2
    )
    meeting = meeting_services.meeting_create(
        actor=None,
        data={"organization": bureau.cell, "kind": "cell_meeting", "held_on": D(2022, 5, 6), "topic": "小组学习"},
    )
    hits = FulfilmentHit.objects.filter(source=coverage.MEETING, object_id=meeting.pk)
    assert set(hits.values_list("item_id", flat=True)) == {b1_item.pk}
    org_services.organization_update(actor=bureau.users.admin, org=bureau.cell, data={"parent": bureau.b2})
    assert set(hits.values_list("item_id", flat=True)) == {b2_item.pk}
    assert assert_agree(bureau)
    before = sorted(FulfilmentHit.objects.values_list("item_id", "period_code", "source", "object_id"))
    coverage.rebuild()
    assert sorted(FulfilmentHit.objects.values_list("item_id", "period_code", "source", "object_id")) == before


def test_liaison_activities_and_their_liaison(bureau, items):
    liaison = services.liaison_create(
        actor=None, data={"leader": bureau.sec1_person, "branch": bureau.b1, "start_on": D(2022, 1, 1)}
    )
    activity = services.activity_create(
        actor=None, data={"liaison": liaison, "held_on": D(2022, 5, 5), "kind": LiaisonKind.RESEARCH, "content": "调研"}
    )
    assert assert_agree(bureau)
    services.record_update(actor=None, obj=activity, data={"held_on": D(2022, 2, 5)})
    assert assert_agree(bureau)
    services.record_delete(actor=None, obj=liaison)  # its activities go with it
    assert assert_agree(bureau)
    services.record_restore(actor=None, obj=liaison)
    assert assert_agree(bureau)


def test_item_changes(bureau, items):
    evidence(items["quarter"], "2022Q1")
    evidence(items["quarter"], "2022Q2")
    topic(bureau, "party_building", D(2022, 2, 18))
    assert assert_agree(bureau)
    services.record_update(actor=None, obj=items["quarter"], data={"frequency": Frequency.HALF})
    assert assert_agree(bureau)  # quarterly evidence no longer matches a half-year
    services.record_update(actor=None, obj=items["quarter"], data={"frequency": Frequency.QUARTER})
    services.record_update(
        actor=None, obj=items["year"], data={"derived_from": "meetings.topic.party_building", "frequency": "month"}
    )
    assert assert_agree(bureau)
    services.record_delete(actor=None, obj=items["quarter"])
    assert assert_agree(bureau)
    services.record_restore(actor=None, obj=items["quarter"])
    assert assert_agree(bureau)
    assert assert_agree(bureau, today=D(2022, 5, 20))  # the current period: what has not ended is open


def test_rebuild_gives_the_rows_the_listeners_keep(bureau, items):
    evidence(items["quarter"], "2022Q1")
    evidence(items["once"], "2021")
    topic(bureau, "party_building", D(2022, 2, 18))
    liaison = services.liaison_create(
        actor=None, data={"leader": bureau.sec1_person, "branch": bureau.b1, "start_on": D(2022, 1, 1)}
    )
    services.activity_create(
        actor=None, data={"liaison": liaison, "held_on": D(2022, 5, 5), "kind": LiaisonKind.TALK, "content": "谈话"}
    )

    def rows():
        return sorted(
            FulfilmentHit.objects.values_list("item_id", "period_code", "period_start", "source", "object_id")
        )

    kept = rows()
    assert len(kept) >= 5
    FulfilmentHit.objects.all().delete()
    FulfilmentBuild.objects.all().delete()
    assert assert_agree(bureau)  # built on first read
    assert rows() == kept
    assert coverage.rebuild() == len(kept)
    assert rows() == kept


def test_counting_is_one_query_and_links_to_a_list_with_the_same_total(bureau, items, client_for):
    evidence(items["quarter"], "2022Q1")
    topic(bureau, "party_building", D(2022, 2, 18))
    period = Period.parse("2022H1")
    with CaptureQueriesContext(connection) as ctx:
        with_other = responsibility_without_evidence(period, bureau.root)
    assert len(ctx.captured_queries) > 3  # the item derived from the risk count is computed in Python
    services.record_delete(actor=None, obj=items["other"])
    with CaptureQueriesContext(connection) as ctx:
        figure = responsibility_without_evidence(period, bureau.root)
    # the build check, the items derived from statistics that are not stored, the count
    assert len(ctx.captured_queries) == 3
    assert figure.value == sum(st == MISSING for st in states(selectors.items_in(bureau.root), period).values())
    # No risk point: the item derived from the risk count is missing too.
    assert figure.value > 0 and with_other.value == figure.value + 1
    client = client_for(bureau.users.committee)
    html = client.get(figure.url).content.decode()
    assert total(html) == figure.value
    for status in (DONE, OPEN):
        html = client.get(reverse("duties:responsibility"), {"period": "2022H1", "status": status}).content.decode()
        qs = selectors.items_visible(bureau.users.committee)
        assert total(html) == sum(st == status for st in states(qs, period).values())


def test_idle_branches_page_alert_and_per_branch_check_agree(bureau, client_for):
    from duties.models import LiaisonActivity
    from duties.stats import liaison_alert

    liaison = services.liaison_create(
        actor=None, data={"leader": bureau.sec1_person, "branch": bureau.b1, "start_on": D(2022, 1, 1)}
    )
    services.activity_create(
        actor=None, data={"liaison": liaison, "held_on": D(2022, 5, 5), "kind": LiaisonKind.TALK, "content": "谈话"}
    )
    client = client_for(bureau.users.committee)
    for code in ("2022H1", "2022H2"):
        period = Period.parse(code)
        branches = selectors.liaison_branches(None, bureau.root)
        expected = [
            b.pk
            for b in branches
            if not LiaisonActivity.objects.filter(
                org_path__startswith=b.path, held_on__gte=period.start, held_on__lte=period.end
            ).exists()
        ]
        assert selectors.idle_branch_ids(bureau.root, period) == expected
        assert bureau.b1.pk not in expected if code == "2022H1" else bureau.b1.pk in expected
        (alert,) = liaison_alert(period, bureau.root)
        assert alert.count == len(expected)
        html = client.get(reverse("duties:liaison_overview"), {"period": code, "idle": "1"}).content.decode()
        assert total(html) == len(expected)
