"""换届提醒 narrowed in SQL: the same organizations as term_status() over every organization."""

from __future__ import annotations

import datetime

import pytest

from core.rules import RuleSet, rule_set_value
from orgs import services as org_services
from orgs.models import Organization
from orgs.selectors import term_status
from reports import builtin

pytestmark = pytest.mark.django_db
D = datetime.date


def brute_force(root, as_of):
    rules = RuleSet("org.")
    found = []
    for org in Organization.objects.filter(path__startswith=root.path):
        status = term_status(org, as_of, rules)
        if status["state"] in ("due", "expired"):
            found.append((org.pk, status["state"], status["days"]))
    return sorted(found)


def test_expiring_terms_match_term_status_around_every_boundary(bureau):
    b = bureau
    as_of = D(2024, 3, 15)
    # Branches: 3-year terms by default; a committee 5 years. Starts and recorded ends on both
    # sides of "expired" and of the 90-day warning window.
    starts = [
        D(2021, 3, 14),
        D(2021, 3, 15),
        D(2021, 3, 16),
        D(2021, 6, 13),
        D(2021, 6, 14),
        D(2021, 6, 15),
        D(2022, 1, 1),
    ]
    for i, start in enumerate(starts):
        org_services.organization_create(
            actor=None,
            data={
                "name": f"换届测试支部{i}",
                "code": f"TT{i}",
                "org_type": "branch",
                "parent": b.root,
                "term_start": start,
            },
        )
    for i, end in enumerate([D(2024, 3, 14), D(2024, 6, 13), D(2024, 6, 14), D(2030, 1, 1)]):
        org_services.organization_create(
            actor=None,
            data={
                "name": f"届满日期测试支部{i}",
                "code": f"TE{i}",
                "org_type": "branch",
                "parent": b.root,
                "term_start": D(2023, 1, 1),
                "term_end": end,
            },
        )
    expected = brute_force(b.root, as_of)
    found = sorted((org.pk, s["state"], s["days"]) for org, s in builtin.expiring_terms(b.root, None, as_of))
    assert found == expected
    assert {s for _pk, s, _d in expected} == {"due", "expired"} and len(expected) >= 6
    # A shorter term length from some year on widens the SQL narrowing accordingly.
    rule_set_value(actor=None, code="org.term_years.branch", year=2021, value=2)
    expected = brute_force(b.root, as_of)
    found = sorted((org.pk, s["state"], s["days"]) for org, s in builtin.expiring_terms(b.root, None, as_of))
    assert found == expected
