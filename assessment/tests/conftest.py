"""Fixtures for the star rating and periodic assessment tests (on top of the root `bureau`)."""

from __future__ import annotations

import datetime

import pytest

from assessment import periodic_services as ps
from assessment import services
from assessment.models import AssessmentRecord, RoundDepartment

FULL = {"班子队伍": 95, "组织生活": 92, "制度机制": 90, "基础保障": 88, "作用发挥": 90}


def scores(value) -> dict:
    """The same score for every default dimension."""
    return {name: value for name in FULL}


@pytest.fixture
def star_round(bureau):
    """A 2022 rating round of the bureau's committee (b1, b2 rated; the cell is not)."""
    return services.star_round_open(actor=bureau.users.committee, organization=bureau.root, year=2022)


@pytest.fixture
def ratings(star_round, bureau):
    return {r.organization_id: r for r in star_round.ratings.all()}


@pytest.fixture
def periodic_round(bureau):
    """2022 Q1 for the bureau's organ: heads 孙书记 (office) and 周书记 (finance)."""
    rnd = ps.assessment_round_open(
        actor=bureau.users.committee, organization=bureau.root, unit=bureau.organ, year=2022, quarter=1
    )
    heads = {
        rd.pk: (bureau.sec1_person if rd.department_id == bureau.office.pk else bureau.sec2_person)
        for rd in RoundDepartment.objects.filter(round=rnd)
    }
    ps.assessment_heads_set(actor=bureau.users.committee, round=rnd, heads=heads)
    return rnd


def record_of(rnd, person) -> AssessmentRecord:
    return AssessmentRecord.objects.get(round=rnd, person=person)


D = datetime.date
