"""Rules → obligations: periods, structure, due dates, states, batching."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.periods import Period
from core.rules import rule_set_value
from meetings.obligations import (
    DONE,
    DUE,
    OVERDUE,
    UPCOMING,
    due_obligations,
    obligations_for,
    obligations_grid,
)
from orgs import services as org_services
from orgs.models import Organization

pytestmark = pytest.mark.django_db
D = datetime.date
P = Period.parse


def by_key(obls):
    return {(o.kind, o.period.code): o for o in obls}


def kinds(obls):
    return {o.kind for o in obls}


# ---------------------------------------------------------------- structure


def test_what_each_organization_owes(est):
    b = est
    year = P("2024")
    b1 = obligations_for(b.b1, year, today=D(2025, 1, 10))
    b2 = obligations_for(b.b2, year, today=D(2025, 1, 10))
    root = obligations_for(b.root, year, today=D(2025, 1, 10))
    branch_kinds = {
        "branch_general_meeting",
        "party_lecture",
        "theme_party_day",
        "org_life_meeting",
        "democratic_appraisal",
        "heart_talk",
    }
    assert kinds(b1) == branch_kinds | {"branch_committee_meeting", "cell_meeting"}
    assert kinds(b2) == branch_kinds  # no committee: no 支委会; no 党小组: no 党小组会
    assert kinds(root) == {"organ_member_assembly"}
    assert obligations_for(b.cell, year) == []  # a 党小组 owes nothing itself
    # 12 months × (支委会, 党小组会, 主题党日) + 4 quarters × (党员大会, 党课) + 3 yearly kinds
    assert len(b1) == 12 * 3 + 4 * 2 + 3
    assert len(b2) == 12 + 4 * 2 + 3
    assert all(o.state == OVERDUE and o.held == 0 and o.required == 1 for o in b1)


def test_general_branch_owes_branch_kinds(est):
    general = org_services.organization_create(
        actor=None,
        data={
            "name": "第三党总支",
            "code": "T03",
            "org_type": "general_branch",
            "parent": est.root,
            "established_on": D(2018, 1, 1),
        },
    )
    obls = obligations_for(general, P("2024Q1"), today=D(2024, 4, 1))
    assert kinds(obls) == {"branch_general_meeting", "party_lecture", "theme_party_day"}


def test_only_periods_inside_the_asked_period(est):
    q1 = obligations_for(est.b2, P("2024Q1"), today=D(2024, 4, 1))
    assert sorted(c for _, c in by_key(q1)) == sorted(["2024-01", "2024-02", "2024-03", "2024Q1", "2024Q1"])
    month = obligations_for(est.b2, P("2024-02"), today=D(2024, 4, 1))
    assert [(o.kind, o.period.code) for o in month] == [("theme_party_day", "2024-02")]


# ---------------------------------------------------------------- period boundaries


def test_quarter_ends(est, record_meeting):
    b2 = est.b2
    record_meeting(b2, "branch_general_meeting", D(2024, 3, 31))  # last day of Q1
    record_meeting(b2, "branch_general_meeting", D(2024, 4, 1))  # first day of Q2
    got = by_key(obligations_for(b2, P("2024H1"), today=D(2024, 7, 1)))
    q1, q2 = got[("branch_general_meeting", "2024Q1")], got[("branch_general_meeting", "2024Q2")]
    assert (q1.held, q1.state, q1.due_on) == (1, DONE, D(2024, 3, 31))
    assert (q2.held, q2.state, q2.due_on) == (1, DONE, D(2024, 6, 30))
    q1_lecture = got[("party_lecture", "2024Q1")]
    assert q1_lecture.state == OVERDUE and q1_lecture.due_on == D(2024, 3, 31)
    # Q4 ends on 12-31 and Q3 on 09-30
    year = by_key(obligations_for(b2, P("2024"), today=D(2024, 7, 1)))
    assert year[("branch_general_meeting", "2024Q3")].due_on == D(2024, 9, 30)
    assert year[("branch_general_meeting", "2024Q4")].due_on == D(2024, 12, 31)


def test_leap_year_february(est, record_meeting):
    b2 = est.b2
    feb = by_key(obligations_for(b2, P("2024-02"), today=D(2024, 2, 29)))[("theme_party_day", "2024-02")]
    assert feb.due_on == D(2024, 2, 29) and feb.state == DUE
    assert by_key(obligations_for(b2, P("2023-02"), today=D(2023, 3, 1)))[("theme_party_day", "2023-02")].due_on == D(
        2023, 2, 28
    )
    record_meeting(b2, "theme_party_day", D(2024, 2, 29))
    feb = by_key(obligations_for(b2, P("2024"), today=D(2024, 3, 1)))
    assert feb[("theme_party_day", "2024-02")].state == DONE
    assert feb[("theme_party_day", "2024-03")].held == 0  # 2-29 does not spill into March


def test_year_ends(est, record_meeting):
    b2 = est.b2
    record_meeting(b2, "org_life_meeting", D(2025, 1, 1))  # counts for 2025, not 2024
    on_last_day = by_key(obligations_for(b2, P("2024"), today=D(2024, 12, 31)))[("org_life_meeting", "2024")]
    assert (on_last_day.held, on_last_day.state, on_last_day.due_on) == (0, DUE, D(2024, 12, 31))
    next_day = by_key(obligations_for(b2, P("2024"), today=D(2025, 1, 1)))[("org_life_meeting", "2024")]
    assert next_day.state == OVERDUE
    record_meeting(b2, "org_life_meeting", D(2024, 12, 31))
    assert by_key(obligations_for(b2, P("2024"), today=D(2025, 1, 1)))[("org_life_meeting", "2024")].state == DONE
    assert by_key(obligations_for(b2, P("2025"), today=D(2025, 1, 2)))[("org_life_meeting", "2025")].state == DONE


# ---------------------------------------------------------------- organizations that change


def test_branch_created_mid_year_owes_from_its_founding_period(est):
    b2 = est.b2
    Organization.objects.filter(pk=b2.pk).update(established_on=D(2024, 5, 15))
    b2.refresh_from_db()
    got = by_key(obligations_for(b2, P("2024"), today=D(2025, 1, 10)))
    months = sorted(c for k, c in got if k == "theme_party_day")
    assert months == [f"2024-{m:02d}" for m in range(5, 13)]  # May (its founding month) to December
    quarters = sorted(c for k, c in got if k == "branch_general_meeting")
    assert quarters == ["2024Q2", "2024Q3", "2024Q4"]
    assert ("org_life_meeting", "2024") in got  # founded during the year: the year is owed
    assert obligations_for(b2, P("2023"), today=D(2025, 1, 10)) == []


def test_without_founding_date_owed_from_the_day_it_was_entered(bureau):
    # The bureau's organizations have no established_on and were entered today.
    today = timezone.localdate()
    assert obligations_for(bureau.b2, P(str(today.year - 1)), today=today) == []
    this_month = obligations_for(bureau.b2, Period.containing("month", today), today=today)
    assert [o.kind for o in this_month] == ["theme_party_day"]


def test_branch_gaining_a_committee_mid_year(est):
    b2 = est.b2
    assert "branch_committee_meeting" not in kinds(obligations_for(b2, P("2024"), today=D(2025, 1, 1)))
    # The branch grows and elects a committee in July 2024: a 组织委员 from 2024-07-08.
    org_services.organization_update(actor=None, org=b2, data={"has_committee": True})
    org_services.post_assign(
        actor=None, person=est.wang, organization=b2, post="organization_member", start_on=D(2024, 7, 8)
    )
    b2.refresh_from_db()
    got = obligations_for(b2, P("2024"), today=D(2025, 1, 1))
    months = sorted(o.period.code for o in got if o.kind == "branch_committee_meeting")
    assert months == [f"2024-{m:02d}" for m in range(7, 13)]
    # The secretary alone does not make a committee: b1 has only 委员-less posts → owed all year.
    org_services.post_assign(
        actor=None, person=est.sec1_person, organization=est.b1, post="secretary", start_on=D(2024, 9, 1)
    )
    b1_months = [
        o for o in obligations_for(est.b1, P("2024"), today=D(2025, 1, 1)) if o.kind == "branch_committee_meeting"
    ]
    assert len(b1_months) == 12


def test_branch_that_loses_its_committee_owes_no_committee_meetings(est):
    org_services.organization_update(actor=None, org=est.b1, data={"has_committee": False})
    est.b1.refresh_from_db()
    assert "branch_committee_meeting" not in kinds(obligations_for(est.b1, P("2024"), today=D(2025, 1, 1)))


def test_cell_meetings_count_for_the_branch(est, record_meeting):
    b = est
    record_meeting(b.cell, "cell_meeting", D(2024, 3, 12))
    record_meeting(b.cell, "cell_meeting", D(2024, 3, 20))
    got = by_key(obligations_for(b.b1, P("2024Q1"), today=D(2024, 4, 1)))
    assert got[("cell_meeting", "2024-03")].held == 2 and got[("cell_meeting", "2024-03")].state == DONE
    assert got[("cell_meeting", "2024-02")].state == OVERDUE
    # The only 党小组 of the branch is pre-filled in the meeting form.
    assert got[("cell_meeting", "2024-02")].new_url.endswith(f"?org={b.cell.pk}&kind=cell_meeting")
    assert got[("branch_general_meeting", "2024Q1")].new_url.endswith(f"?org={b.b1.pk}&kind=branch_general_meeting")
    # A branch without 党小组 owes none, even if a 党小组 hangs below it.
    org_services.organization_update(actor=None, org=b.b1, data={"has_cells": False})
    b.b1.refresh_from_db()
    assert "cell_meeting" not in kinds(obligations_for(b.b1, P("2024Q1"), today=D(2024, 4, 1)))


def test_meetings_of_sub_branches_do_not_count_for_a_general_branch(est, record_meeting):
    general = org_services.organization_create(
        actor=None,
        data={
            "name": "第三党总支",
            "code": "T03",
            "org_type": "general_branch",
            "parent": est.root,
            "established_on": D(2018, 1, 1),
        },
    )
    sub = org_services.organization_create(
        actor=None,
        data={
            "name": "总支下属支部",
            "code": "T0301",
            "org_type": "branch",
            "parent": general,
            "established_on": D(2018, 1, 1),
        },
    )
    record_meeting(sub, "theme_party_day", D(2024, 1, 10), attendance=[])
    assert by_key(obligations_for(general, P("2024-01"), today=D(2024, 2, 1)))[("theme_party_day", "2024-01")].held == 0
    assert by_key(obligations_for(sub, P("2024-01"), today=D(2024, 2, 1)))[("theme_party_day", "2024-01")].held == 1


def test_deleted_meetings_do_not_count(est, record_meeting):
    from meetings.services import meeting_delete

    m = record_meeting(est.b2, "theme_party_day", D(2024, 1, 10))
    meeting_delete(actor=est.users.committee, meeting=m)
    assert obligations_for(est.b2, P("2024-01"), today=D(2024, 2, 1))[0].held == 0


# ---------------------------------------------------------------- due dates and states


def test_fixed_theme_day_and_states(est, record_meeting):
    b2 = est.b2
    org_services.organization_update(actor=None, org=b2, data={"fixed_theme_day": 15})
    b2.refresh_from_db()

    def feb(today):
        return by_key(obligations_for(b2, P("2024-02"), today=today))[("theme_party_day", "2024-02")]

    assert feb(D(2024, 2, 1)).due_on == D(2024, 2, 15)
    assert feb(D(2024, 1, 20)).state == UPCOMING  # the period has not started
    assert feb(D(2024, 2, 11)).state == UPCOMING  # 4 days before: not yet yellow (3 days)
    assert feb(D(2024, 2, 12)).state == DUE
    assert feb(D(2024, 2, 20)).state == DUE  # fixed day passed, month still open
    assert feb(D(2024, 3, 1)).state == OVERDUE
    record_meeting(b2, "theme_party_day", D(2024, 2, 16))
    assert feb(D(2024, 3, 1)).state == DONE
    # Other kinds keep the period end; other months keep the fixed day
    q1 = by_key(obligations_for(b2, P("2024Q1"), today=D(2024, 2, 1)))
    assert q1[("branch_general_meeting", "2024Q1")].due_on == D(2024, 3, 31)
    assert q1[("theme_party_day", "2024-03")].due_on == D(2024, 3, 15)
    assert q1[("branch_general_meeting", "2024Q1")].state == UPCOMING


def test_fixed_day_past_the_months_end_is_capped(est):
    Organization.objects.filter(pk=est.b2.pk).update(fixed_theme_day=30)
    est.b2.refresh_from_db()
    got = obligations_for(est.b2, P("2024-02"), today=D(2024, 2, 1))
    assert got[0].due_on == D(2024, 2, 29)


def test_rules_drive_counts_and_windows(est, record_meeting):
    admin = est.users.admin
    rule_set_value(actor=admin, code="meeting.freq.theme_party_day", year=2025, value={"period": "month", "min": 2})
    rule_set_value(actor=admin, code="tracking.yellow_days_before", year=2024, value=10)
    record_meeting(est.b2, "theme_party_day", D(2025, 1, 5))
    jan25 = obligations_for(est.b2, P("2025-01"), today=D(2025, 1, 20))[0]
    assert (jan25.required, jan25.held, jan25.state) == (2, 1, UPCOMING)  # 2025's yellow window is 3 days
    jan24 = obligations_for(est.b2, P("2024-01"), today=D(2024, 1, 21))[0]
    assert (jan24.required, jan24.state) == (1, DUE)  # 2024: 10 days before 01-31
    assert jan24.label == "主题党日（2024年1月）"
    # A rule switched off (min 0) owes nothing.
    rule_set_value(actor=admin, code="meeting.freq.heart_talk", year=2024, value={"period": "year", "min": 0})
    assert "heart_talk" not in kinds(obligations_for(est.b2, P("2024"), today=D(2025, 1, 1)))
    assert "heart_talk" in kinds(obligations_for(est.b2, P("2023"), today=D(2025, 1, 1)))


def test_links(est, record_meeting):
    from django.urls import reverse

    record_meeting(est.b2, "theme_party_day", D(2024, 1, 10))
    o = obligations_for(est.b2, P("2024-01"), today=D(2024, 2, 1))[0]
    assert o.new_url == reverse("meetings:meeting_create") + f"?org={est.b2.pk}&kind=theme_party_day"
    assert o.list_url == reverse("meetings:meeting_list") + f"?org={est.b2.pk}&kind=theme_party_day&period=2024-01"


def test_list_url_total_equals_held(est, record_meeting, client_for):
    b = est
    record_meeting(b.cell, "cell_meeting", D(2024, 3, 12))
    record_meeting(b.cell, "cell_meeting", D(2024, 3, 20))
    record_meeting(b.b1, "theme_party_day", D(2024, 3, 1))
    record_meeting(b.b1, "theme_party_day", D(2024, 4, 1))
    c = client_for(b.users.committee)
    for o in obligations_for(b.b1, P("2024-03"), today=D(2024, 4, 2)):
        r = c.get(o.list_url)
        assert r.status_code == 200
        assert f'data-total="{o.held}"' in r.content.decode(), o.label


# ---------------------------------------------------------------- batching and the user's list


def test_grid_keys_and_constant_queries(est, record_meeting):
    b = est
    record_meeting(b.b2, "branch_general_meeting", D(2024, 5, 6))
    grid = obligations_grid([b.root, b.b1, b.b2], P("2024"), today=D(2025, 1, 1))
    assert grid[(b.b2.pk, "branch_general_meeting", "2024-06")].state == DONE  # Q2 sits in June
    assert grid[(b.b2.pk, "org_life_meeting", "2024-12")].state == OVERDUE
    assert grid[(b.root.pk, "organ_member_assembly", "2024-12")].state == OVERDUE
    assert (b.b2.pk, "branch_committee_meeting", "2024-01") not in grid

    def count(orgs):
        with CaptureQueriesContext(connection) as ctx:
            result = obligations_grid(orgs, P("2024"), today=D(2025, 1, 1))
        return len(ctx.captured_queries), result

    small, _ = count([b.root, b.b1, b.b2])
    more = []
    for i in range(27):
        org = org_services.organization_create(
            actor=None,
            data={
                "name": f"扩展党支部{i}",
                "code": f"X{i:03d}",
                "org_type": "branch",
                "parent": b.root,
                "established_on": D(2018, 1, 1),
                "has_committee": i % 2 == 0,
                "has_cells": i % 3 == 0,
                "fixed_theme_day": (i % 28) + 1,
            },
        )
        more.append(org)
        record_meeting(org, "theme_party_day", D(2024, 1 + i % 12, 1), attendance=[])
        if i % 3 == 0:
            cell = org_services.organization_create(
                actor=None, data={"name": f"扩展党小组{i}", "code": f"X{i:03d}C", "org_type": "cell", "parent": org}
            )
            record_meeting(cell, "cell_meeting", D(2024, 2, 2), attendance=[])
    big, grid = count([b.root, b.b1, b.b2, *more])
    assert small == big <= 4
    assert grid[(more[3].pk, "cell_meeting", "2024-02")].state == DONE
    assert grid[(more[5].pk, "theme_party_day", "2024-06")].due_on == D(2024, 6, 6)


def test_due_obligations_for_a_secretary(est, record_meeting):
    b = est
    today = D(2024, 5, 29)
    record_meeting(b.b1, "theme_party_day", D(2024, 5, 8))
    due = due_obligations(b.users.sec1, today)
    assert {o.organization.pk for o in due} == {b.b1.pk}  # sec2's branch, the root: not sec1's
    assert [o.due_on for o in due] == sorted(o.due_on for o in due)
    got = {(o.kind, o.period.code): o.state for o in due}
    assert got == {
        ("branch_committee_meeting", "2024-05"): DUE,
        ("cell_meeting", "2024-05"): DUE,
        ("branch_general_meeting", "2024Q2"): UPCOMING,
        ("party_lecture", "2024Q2"): UPCOMING,
        ("org_life_meeting", "2024"): UPCOMING,
        ("democratic_appraisal", "2024"): UPCOMING,
        ("heart_talk", "2024"): UPCOMING,
    }  # the 主题党日 of May was held
    with_overdue = due_obligations(b.users.sec1, today, include_overdue=True)
    assert {(o.kind, o.period.code) for o in with_overdue if o.state == OVERDUE} == {
        ("branch_committee_meeting", "2024-04"),
        ("cell_meeting", "2024-04"),
        ("theme_party_day", "2024-04"),
    }
    assert due_obligations(b.users.leader, today) == []  # read-only role
    assert due_obligations(b.users.member, today) == []
    committee = due_obligations(b.users.committee, today)
    assert {o.organization.pk for o in committee} == {b.root.pk, b.b1.pk, b.b2.pk}


def test_due_obligations_queries_do_not_grow(est):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            due_obligations(est.users.committee, D(2024, 5, 29), include_overdue=True)
        return len(ctx.captured_queries)

    before = count()
    for i in range(10):
        org_services.organization_create(
            actor=None,
            data={
                "name": f"扩展党支部{i}",
                "code": f"X{i:03d}",
                "org_type": "branch",
                "parent": est.root,
                "established_on": D(2018, 1, 1),
            },
        )
    est.users.committee._scope_cache = None
    assert count() == before


def test_selection_by_id_and_by_subtree_agree(est, record_meeting, monkeypatch):
    from meetings import obligations

    b = est
    org_services.post_assign(
        actor=None, person=b.zhang, organization=b.b1, post="discipline_member", start_on=D(2024, 3, 2)
    )
    record_meeting(b.cell, "cell_meeting", D(2024, 3, 12), attendance=[])
    record_meeting(b.b1, "branch_committee_meeting", D(2024, 4, 1), attendance=[])
    record_meeting(b.b2, "theme_party_day", D(2024, 5, 1), attendance=[])
    orgs = [b.root, b.b1, b.b2]

    def snapshot():
        with CaptureQueriesContext(connection) as ctx:
            grid = obligations_grid(orgs, P("2024"), today=D(2024, 6, 15))
        return len(ctx.captured_queries), {k: (o.held, o.state, o.due_on, o.form_org_id) for k, o in grid.items()}

    by_id_queries, by_id = snapshot()
    monkeypatch.setattr(obligations, "BATCH_BY_ID", 0)
    by_path_queries, by_path = snapshot()
    assert by_id == by_path
    assert by_id_queries == by_path_queries == 4
    assert by_id[(b.b1.pk, "cell_meeting", "2024-03")][:2] == (1, DONE)
    assert (b.b1.pk, "branch_committee_meeting", "2024-02") not in by_id  # committee from 2024-03-02
    assert by_id[(b.b1.pk, "branch_committee_meeting", "2024-04")][:2] == (1, DONE)
