"""List pages run a number of queries that does not grow with the data."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import valid_id
from orgs import services
from orgs.models import Person

LIST_URLS = [
    ("orgs:person_list", {}),
    ("orgs:person_list", {"q": "zs"}),
    ("orgs:organization_list", {}),
    ("orgs:handover_list", {}),
    ("orgs:department_list", {}),
    ("core:home", {}),
    ("core:search", {"q": "li"}),
]


def _count(client, name, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(bureau, n_people: int, n_orgs: int):
    parent = bureau.b1
    for i in range(n_orgs):
        services.organization_create(
            actor=None,
            data={
                "name": f"扩展党支部{i}",
                "code": f"X{i:03d}",
                "org_type": "branch",
                "parent": bureau.root,
                "term_start": datetime.date(2024, 1, 1),
            },
        )
    for i in range(n_people):
        services.person_create(
            actor=None,
            data={
                "name": f"李{'一二三四五六七八九十'[i % 10]}{i}",
                "organization": parent,
                "party_status": "full",
                "joined_party_on": datetime.date(2015, 7, 1),
                "department": bureau.office,
                "unit": bureau.organ,
                "id_number": valid_id(f"3706021990{(i % 12) + 1:02d}{(i % 28) + 1:02d}{i % 1000:03d}"),
            },
        )


@pytest.mark.django_db
@pytest.mark.parametrize("user_attr", ["committee", "sec1"])
def test_list_pages_constant_queries(bureau, client_for, user_attr):
    client = client_for(getattr(bureau.users, user_attr))
    small = {(n, tuple(p.items())): _count(client, n, p) for n, p in LIST_URLS}
    _grow(bureau, n_people=60, n_orgs=15)
    assert Person.objects.count() > 60
    large = {(n, tuple(p.items())): _count(client, n, p) for n, p in LIST_URLS}
    assert large == small
