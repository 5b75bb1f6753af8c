"""The stored obligations equal obligations.compute() after every kind of write that changes them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.periods import Period
from core.rules import RuleSet, rule_set_value
from meetings import obligation_store, services
from meetings.models import MeetingKind, ObligationRecord, ObligationYear
from meetings.obligations import DONE, DUE, OVERDUE, UPCOMING, compliance, compute, owing_organizations, targets_within
from orgs import services as org_services
from orgs.models import PostType

pytestmark = pytest.mark.django_db
D = datetime.date
P = Period.parse
TODAY = D(2022, 6, 10)


def reference(period, org, today=TODAY):
    rules = RuleSet()
    found = compute(list(owing_organizations(org)), targets_within(period, rules), today, rules)
    return {(o.organization.pk, o.kind, o.period.code): (o.required, o.held, o.due_on, o.state) for o in found}


def stored(period, org, today=TODAY):
    rows = list(obligation_store.records(period, org).select_related("organization"))
    result = {}
    for r, o in zip(rows, obligation_store.to_obligations(rows, today), strict=True):
        result[(r.organization_id, r.kind, r.period_code)] = (o.required, o.held, o.due_on, o.state)
    return result


def states_in_sql(period, org, today=TODAY):
    rows = obligation_store.records(period, org)
    return {
        state: set(
            rows.filter(obligation_store.state_q(state, today)).values_list("organization_id", "kind", "period_code")
        )
        for state in (DONE, OVERDUE, DUE, UPCOMING)
    }


def assert_same(period, org, today=TODAY):
    ref = reference(period, org, today)
    assert stored(period, org, today) == ref
    sql = states_in_sql(period, org, today)
    for state in (DONE, OVERDUE, DUE, UPCOMING):
        assert sql[state] == {k for k, v in ref.items() if v[3] == state}, state
    rules = RuleSet()
    c = compliance(compute(list(owing_organizations(org)), targets_within(period, rules), today, rules), today)
    s = obligation_store.summary(obligation_store.records(period, org), today)
    assert (s["owed"], s["met"], s["total"]) == (c.owed, c.met, len(ref))
    return ref


def test_a_year_is_built_on_first_use_and_equals_compute(est, record_meeting):
    b = est
    record_meeting(b.b1, MeetingKind.THEME_DAY, D(2022, 1, 12))
    record_meeting(b.cell, MeetingKind.CELL, D(2022, 2, 3))  # counts for b1
    assert not ObligationYear.objects.exists()
    ref = assert_same(P("2022H1"), b.root)
    assert ref[(b.b1.pk, MeetingKind.CELL, "2022-02")][1] == 1
    assert ref[(b.b1.pk, MeetingKind.THEME_DAY, "2022-01")][3] == DONE
    assert set(ObligationYear.objects.values_list("year", flat=True)) == {2022}
    # Every state occurs, so the SQL state rule is really exercised.
    assert {v[3] for v in ref.values()} >= {DONE, OVERDUE, UPCOMING}
    # A second read builds nothing more.
    n = ObligationRecord.objects.count()
    obligation_store.records(P("2022"), b.root).count()
    assert ObligationRecord.objects.count() == n


def test_due_state_near_the_fixed_theme_day(est):
    b = est
    org_services.organization_update(actor=None, org=b.b2, data={"fixed_theme_day": 15})
    b.b2.refresh_from_db()
    ref = assert_same(P("2022Q2"), b.b2, today=D(2022, 6, 13))
    assert ref[(b.b2.pk, MeetingKind.THEME_DAY, "2022-06")][3] == DUE


def test_meeting_writes_keep_the_rows_current(est, record_meeting):
    b = est
    half = P("2022H1")
    assert_same(half, b.root)  # built before the writes
    m = record_meeting(b.b1, MeetingKind.BRANCH_GENERAL, D(2022, 2, 10))
    assert_same(half, b.root)
    # Moved to another branch and into another year: both owners and both years follow.
    obligation_store.ensure_years([2021])
    m = services.meeting_update(
        actor=b.users.committee, meeting=m, data={"organization": b.b2, "held_on": D(2021, 12, 20)}, attendance=[]
    )
    assert_same(half, b.root)
    assert_same(P("2021H2"), b.root)
    assert reference(P("2021H2"), b.b2)[(b.b2.pk, MeetingKind.BRANCH_GENERAL, "2021Q4")][1] == 1
    services.meeting_delete(actor=b.users.committee, meeting=m)
    assert_same(P("2021H2"), b.root)
    assert stored(P("2021H2"), b.b2)[(b.b2.pk, MeetingKind.BRANCH_GENERAL, "2021Q4")][1] == 0
    services.meeting_restore(actor=b.users.committee, meeting=m)
    assert stored(P("2021H2"), b.b2)[(b.b2.pk, MeetingKind.BRANCH_GENERAL, "2021Q4")][1] == 1
    assert_same(P("2021H2"), b.root)


def test_organization_post_and_rule_changes_keep_the_rows_current(est, record_meeting):
    b = est
    half = P("2022H1")
    record_meeting(b.cell, MeetingKind.CELL, D(2022, 3, 3))
    assert_same(half, b.root)
    # b2 gets a committee: 支委会 become owed (from the first 委员 post).
    org_services.organization_update(actor=None, org=b.b2, data={"has_committee": True, "has_cells": True})
    assert_same(half, b.root)
    org_services.post_assign(
        actor=None, organization=b.b2, person=b.wang, post=PostType.ORGANIZATION_MEMBER, start_on=D(2022, 4, 1)
    )
    ref = assert_same(half, b.root)
    assert (b.b2.pk, MeetingKind.BRANCH_COMMITTEE, "2022-03") not in ref
    assert (b.b2.pk, MeetingKind.BRANCH_COMMITTEE, "2022-04") in ref
    # The 党小组 moves from b1 to b2: its meeting now counts for b2, no longer for b1.
    b.cell.refresh_from_db()
    org_services.organization_update(actor=None, org=b.cell, data={"parent": b.b2})
    ref = assert_same(half, b.root)
    assert ref[(b.b2.pk, MeetingKind.CELL, "2022-03")][1] == 1
    assert ref[(b.b1.pk, MeetingKind.CELL, "2022-03")][1] == 0
    # A new branch owes from its founding; a deleted one owes nothing.
    new = org_services.organization_create(
        actor=None,
        data={
            "name": "机关第三党支部",
            "code": "T03",
            "org_type": "branch",
            "parent": b.root,
            "established_on": D(2022, 5, 1),
        },
    )
    ref = assert_same(half, b.root)
    assert (new.pk, MeetingKind.THEME_DAY, "2022-05") in ref
    org_services.organization_delete(actor=None, org=new)
    ref = assert_same(half, b.root)
    assert not any(k[0] == new.pk for k in ref)
    # A rule changed from 2022 on: the built years from 2022 are dropped and rebuilt alike.
    obligation_store.ensure_years([2021, 2022])
    rule_set_value(actor=None, code="meeting.freq.theme_party_day", year=2022, value={"period": "quarter", "min": 2})
    assert set(ObligationYear.objects.values_list("year", flat=True)) == {2021}
    ref = assert_same(half, b.root)
    assert ref[(b.b1.pk, MeetingKind.THEME_DAY, "2022Q1")][0] == 2
    assert_same(P("2021"), b.root)


def test_a_write_rolled_back_leaves_the_rows_as_they_were(est, record_meeting):
    from django.db import transaction

    b = est
    before = stored(P("2022H1"), b.root)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_meeting(b.b2, MeetingKind.BRANCH_GENERAL, D(2022, 2, 10))
        raise RuntimeError
    assert stored(P("2022H1"), b.root) == before


def test_summary_is_one_query_whatever_the_size(est):
    b = est
    obligation_store.ensure_years([2022])
    with CaptureQueriesContext(connection) as q:
        obligation_store.summary(obligation_store.records(P("2022"), b.root), TODAY)
    assert len(q) <= 3  # the built years, the tracking rule, the aggregate


def test_scope_limits_the_rows_to_what_the_user_sees(est):
    b = est
    keys = {r.organization_id for r in obligation_store.records(P("2022H1"), b.root, b.users.sec1)}
    assert keys == {b.b1.pk}


def test_rows_follow_a_moved_subtree(est, record_meeting):
    b = est
    meeting = record_meeting(b.b2, MeetingKind.BRANCH_GENERAL, D(2022, 2, 10))
    half = P("2022H1")
    general = org_services.organization_create(
        actor=None,
        data={
            "name": "机关党总支",
            "code": "T09",
            "org_type": "general_branch",
            "parent": b.root,
            "established_on": D(2018, 1, 1),
        },
    )
    assert_same(half, b.root)
    assert not any(k[0] == b.b2.pk for k in stored(half, general))
    b.b2.refresh_from_db()
    org_services.organization_update(actor=None, org=b.b2, data={"parent": general})
    b.b2.refresh_from_db()
    assert b.b2.path.startswith(general.path)
    assert set(obligation_store.records(half, b.b2).values_list("org_path", flat=True)) == {b.b2.path}
    # Every copy of the path moves with it (here the meeting's, which the ledger filters on).
    meeting.refresh_from_db()
    assert meeting.org_path == b.b2.path
    assert any(k[0] == b.b2.pk for k in stored(half, general))
    assert_same(half, general)
    assert_same(half, b.root)
