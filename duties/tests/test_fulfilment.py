"""Fulfilment per period: slots by frequency, states, and evidence derived from the meetings."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.periods import Period
from core.stats import get_statistic
from duties import services
from duties.derivations import derived_values
from duties.fulfilment import DONE, MISSING, OPEN, slots_for, statuses
from duties.models import Frequency, LiaisonKind, Subject
from meetings import services as meeting_services
from meetings.models import TopicSubtype

pytestmark = pytest.mark.django_db
D = datetime.date
H1 = Period.parse("2022H1")
TODAY = D(2026, 11, 26)


def codes(slots):
    return [(s.code, s.due) for s in slots]


def test_slots_by_frequency():
    assert codes(slots_for(Frequency.QUARTER, H1, TODAY)) == [("2022Q1", True), ("2022Q2", True)]
    assert codes(slots_for(Frequency.HALF, H1, TODAY)) == [("2022H1", True)]
    assert codes(slots_for(Frequency.MONTH, H1, TODAY))[-1] == ("2022-06", True)
    assert len(slots_for(Frequency.MONTH, H1, TODAY)) == 6
    # A yearly item viewed for the first half: the year is not over at the end of June.
    assert codes(slots_for(Frequency.YEAR, H1, TODAY)) == [("2022", False)]
    # The current period: what has not ended yet is not due.
    current = Period.parse("2026H2")
    assert codes(slots_for(Frequency.QUARTER, current, TODAY)) == [("2026Q3", True), ("2026Q4", False)]
    assert codes(slots_for(Frequency.ONCE, H1, TODAY)) == [("once", True)]
    assert codes(slots_for(Frequency.ONCE, current, TODAY)) == [("once", False)]


def make_item(bureau, frequency=Frequency.QUARTER, derived="", org=None, content=None):
    return services.item_create(
        actor=None,
        data={
            "organization": org or bureau.root,
            "subject": Subject.LEADING_GROUP,
            "content": content or f"事项{frequency}{derived}",
            "frequency": frequency,
            "derived_from": derived,
        },
    )


def evidence(item, code, note="有佐证"):
    return services.evidence_add(actor=None, data={"item": item, "period_code": code, "note": note})


def test_states_from_entered_evidence(bureau):
    quarterly = make_item(bureau)
    yearly = make_item(bureau, Frequency.YEAR)
    once = make_item(bureau, Frequency.ONCE)
    evidence(quarterly, "2022Q1")
    (q, y, o) = statuses([quarterly, yearly, once], H1, today=TODAY)
    assert q.state == MISSING and [s.state for s in q.slots] == [DONE, MISSING]
    assert q.suggested_period == "2022Q2"
    assert y.state == OPEN  # the year runs to December
    assert o.state == MISSING
    evidence(quarterly, "2022Q2")
    evidence(yearly, "2022")
    evidence(once, "2021")
    (q, y, o) = statuses([quarterly, yearly, once], H1, today=TODAY)
    assert (q.state, y.state, o.state) == (DONE, DONE, DONE)
    assert q.covered_count == 2 and q.slots[1].entered[0].note == "有佐证"
    # Evidence of another period does not count.
    (q,) = statuses([quarterly], Period.parse("2022H2"), today=TODAY)
    assert q.state == MISSING and q.covered_count == 0


def topic(bureau, code, day):
    return meeting_services.meeting_create(
        actor=None,
        data={
            "organization": bureau.root,
            "kind": "topic_meeting",
            "subtype": TopicSubtype.objects.get(code=code),
            "held_on": day,
            "topic": "党建工作专题会",
        },
    )


def test_derived_evidence_follows_the_meetings(bureau):
    item = make_item(bureau, derived="meetings.topic.party_building")
    (st,) = statuses([item], H1, today=TODAY)
    assert st.state == MISSING and all(s.derived.value == 0 for s in st.slots)
    first = topic(bureau, "party_building", D(2022, 2, 18))
    topic(bureau, "integrity", D(2022, 5, 10))  # another subtype does not count
    (st,) = statuses([item], H1, today=TODAY)
    assert [s.state for s in st.slots] == [DONE, MISSING]
    assert st.slots[0].derived.value == 1
    assert "subtype=party_building" in st.slots[0].derived.url and "period=2022Q1" in st.slots[0].derived.url
    second = topic(bureau, "party_building", D(2022, 4, 22))
    (st,) = statuses([item], H1, today=TODAY)
    assert st.state == DONE
    meeting_services.meeting_delete(actor=None, meeting=second)
    (st,) = statuses([item], H1, today=TODAY)
    assert st.state == MISSING
    meeting_services.meeting_update(actor=None, meeting=first, data={"held_on": D(2022, 5, 5)})
    (st,) = statuses([item], H1, today=TODAY)
    assert [s.state for s in st.slots] == [MISSING, DONE]


def test_derived_values_equal_the_registered_statistics(bureau):
    """The one-query path for meeting counts gives the same value and link as meetings.stats."""
    for day, code in (
        (D(2022, 2, 18), "party_building"),
        (D(2022, 5, 1), "party_building"),
        (D(2022, 3, 3), "ideology"),
    ):
        topic(bureau, code, day)
    meeting_services.meeting_create(
        actor=None,
        data={
            "organization": bureau.b1,
            "kind": "topic_meeting",
            "subtype": TopicSubtype.objects.get(code="party_building"),
            "held_on": D(2022, 3, 1),
            "topic": "支部专题",
        },
    )
    wanted = {
        (code, org, p)
        for code in ("meetings.topic.party_building", "meetings.topic.ideology", "meetings.kind.central_study")
        for org in (bureau.root, bureau.b1, bureau.b2)
        for p in (Period.parse("2022Q1"), Period.parse("2022Q2"), Period.parse("2022"))
    }
    values = derived_values(wanted, user=bureau.users.committee)
    for code, org, p in wanted:
        expected = get_statistic(code).compute(p, org, bureau.users.committee)
        got = values[(code, org.pk, p.code)]
        assert (got.value, got.url) == (expected.value, expected.url), (code, org.name, p.code)
    assert values[("meetings.topic.party_building", bureau.root.pk, "2022Q1")].value == 2  # incl. branch 1's
    assert values[("meetings.topic.party_building", bureau.b1.pk, "2022Q1")].value == 1


def test_derived_from_any_statistic(bureau):
    item = make_item(bureau, derived="duties.liaison.activities", content="到联系支部调研指导")
    liaison = services.liaison_create(
        actor=None, data={"leader": bureau.sec1_person, "branch": bureau.b1, "start_on": D(2022, 1, 1)}
    )
    services.activity_create(
        actor=None, data={"liaison": liaison, "held_on": D(2022, 5, 5), "kind": LiaisonKind.RESEARCH, "content": "调研"}
    )
    (st,) = statuses([item], H1, today=TODAY)
    assert [s.state for s in st.slots] == [MISSING, DONE]
    assert st.slots[1].derived.url.startswith("/duties/activities/")


def test_queries_do_not_grow_with_the_items(bureau):
    def run(n_items):
        items = [
            make_item(bureau, derived="meetings.topic.party_building", content=f"派生{n_items}-{i}")
            for i in range(n_items)
        ]
        items += [make_item(bureau, Frequency.MONTH, content=f"逐月{n_items}-{i}") for i in range(n_items)]
        for it in items[n_items:]:
            evidence(it, "2022-03")
        with CaptureQueriesContext(connection) as ctx:
            result = statuses(items, H1, today=TODAY)
        assert len(result) == 2 * n_items
        return len(ctx.captured_queries)

    assert run(2) == run(15) <= 3


def test_path_helpers():
    from duties.paths import ancestor_paths, common_ancestor, minimal, under_q

    assert ancestor_paths("000001.000004.000010.") == ["000001.", "000001.000004.", "000001.000004.000010."]
    assert minimal(["000001.000004.", "000001.", "000002.", "000002.000009."]) == ["000001.", "000002."]
    assert common_ancestor(["000001.000004.000010.", "000001.000004.000011.", "000001.000004."]) == "000001.000004."
    assert common_ancestor(["000001.", "000002."]) == ""
    few = under_q("org_path", ["000001.000004.", "000001.000005."])
    assert str(few).count("startswith") == 2
    many = under_q("org_path", [f"000001.{i:06d}." for i in range(100)])
    assert str(many) == "(AND: ('org_path__startswith', '000001.'))"


def test_derived_counts_over_many_organizations(bureau):
    """More organizations than OR-ed prefixes: one query under their common ancestor, same values."""
    from orgs import services as org_services

    branches = [
        org_services.organization_create(
            actor=None, data={"name": f"支部{i}", "code": f"X{i:03d}", "org_type": "branch", "parent": bureau.root}
        )
        for i in range(45)
    ]
    for i, branch in enumerate(branches[:10]):
        meeting_services.meeting_create(
            actor=None,
            data={
                "organization": branch,
                "kind": "topic_meeting",
                "subtype": TopicSubtype.objects.get(code="integrity"),
                "held_on": D(2022, 1 + i % 6, 5),
                "topic": "专题",
            },
        )
    q1 = Period.parse("2022Q1")
    wanted = {("meetings.topic.integrity", b, q1) for b in branches} | {("meetings.topic.integrity", bureau.root, q1)}
    with CaptureQueriesContext(connection) as ctx:
        values = derived_values(wanted)
    assert len(ctx.captured_queries) == 1
    for code, org, p in wanted:
        assert values[(code, org.pk, p.code)].value == get_statistic(code).compute(p, org, None).value
    assert values[("meetings.topic.integrity", bureau.root.pk, "2022Q1")].value == 6


def test_states_agree_with_statuses(bureau):
    """The light pass used for filtering and counting gives each item the state of the full one."""
    from duties.fulfilment import states
    from duties.models import ResponsibilityItem

    made = [
        make_item(bureau, Frequency.QUARTER, content="季度"),
        make_item(bureau, Frequency.MONTH, content="月度"),
        make_item(bureau, Frequency.YEAR, content="年度"),
        make_item(bureau, Frequency.ONCE, content="一次"),
        make_item(bureau, Frequency.HALF, content="半年"),
        make_item(bureau, derived="meetings.topic.party_building", content="派生"),
        make_item(bureau, derived="duties.liaison.activities", content="联系", org=bureau.b1),
    ]
    evidence(made[0], "2022Q1")
    evidence(made[0], "2022Q2")
    evidence(made[1], "2022-02")
    evidence(made[3], "2021")
    evidence(made[4], "2022H1")
    topic(bureau, "party_building", D(2022, 2, 2))
    for period in (H1, Period.parse("2022"), Period.parse("2022Q2"), Period.parse("2026H2")):
        qs = ResponsibilityItem.objects.filter(org_path__startswith=bureau.root.path)
        full = {s.item.pk: s.state for s in statuses(list(qs.select_related("organization")), period, today=TODAY)}
        assert states(qs, period, today=TODAY) == full, period.code
    assert states(ResponsibilityItem.objects.none(), H1) == {}
