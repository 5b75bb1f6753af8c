"""Base fixtures: a small bureau with two branches and users in every role."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from accounts.models import Role, RoleGrant, User
from orgs import services as org_services
from orgs.models import Department, Unit, UnitType

PASSWORD = "test-pass-123"  # noqa: S105


_HASHED: dict[str, str] = {}


@pytest.fixture(autouse=True, scope="session")
def _session_renewal_interval():
    """Sessions are renewed at most once a minute (accounts.middleware.SessionRenewalMiddleware).
    Tests that count a page's queries must not depend on how long the test took since signing
    in, so the interval is an hour here; TestSessionExpiry sets it explicitly."""
    from django.conf import settings

    old = settings.SESSION_RENEW_SECONDS
    settings.SESSION_RENEW_SECONDS = 3600
    yield
    settings.SESSION_RENEW_SECONDS = old


def make_user(username: str, *, person=None, grants=(), **extra) -> User:
    # Hash the shared test password once (argon2 is deliberately slow) and reuse the hash.
    # Keyed by the active hasher: some test modules switch to a fast one.
    from django.conf import settings
    from django.contrib.auth.hashers import make_password

    key = settings.PASSWORD_HASHERS[0]
    if key not in _HASHED:
        _HASHED[key] = make_password(PASSWORD)
    user = User.objects.create(username=username, password=_HASHED[key], person=person, **extra)
    for role, org in grants:
        RoleGrant.objects.create(user=user, role=role, organization=org)
    return user


def valid_id(prefix17: str) -> str:
    from orgs.validators import id_check_digit

    return prefix17 + id_check_digit(prefix17)


@pytest.fixture
def bureau(db):
    sys = None
    root = org_services.organization_create(
        actor=sys,
        data={
            "name": "测试局机关党委",
            "code": "T00",
            "org_type": "committee",
            "term_start": datetime.date(2021, 3, 1),
        },
    )
    b1 = org_services.organization_create(
        actor=sys,
        data={
            "name": "机关第一党支部",
            "code": "T01",
            "org_type": "branch",
            "parent": root,
            "term_start": datetime.date(2020, 1, 10),
            "has_committee": True,
            "has_cells": True,
        },
    )
    b2 = org_services.organization_create(
        actor=sys, data={"name": "机关第二党支部", "code": "T02", "org_type": "branch", "parent": root}
    )
    cell = org_services.organization_create(
        actor=sys, data={"name": "第一党小组", "code": "T0101", "org_type": "cell", "parent": b1}
    )
    organ = Unit.objects.create(name="测试局机关", unit_type=UnitType.ORGAN)
    library = Unit.objects.create(name="测试图书馆", unit_type=UnitType.TROUPE)
    office = Department.objects.create(name="办公室", unit=organ, organization=b1)
    finance = Department.objects.create(name="财务科", unit=organ, organization=b2)

    def person(name, org, status="full", **kw):
        data = {"name": name, "organization": org, "party_status": status, "unit": organ}
        if status in ("full", "probationary"):
            data["joined_party_on"] = datetime.date(2010, 7, 1)
        data.update(kw)
        return org_services.person_create(actor=sys, data=data)

    zhang = person("张三", b1, department=office, id_number=valid_id("37060219800101123"))
    li = person("李四", b1, department=office)
    wang = person("王五", b2, department=finance)
    zhao = person("赵六", b2, status="non_member", department=finance)
    qian = person("钱七", cell, status="probationary", department=office)
    sec1_person = person("孙书记", b1, department=office, is_leader=True)
    sec2_person = person("周书记", b2, department=finance)

    users = SimpleNamespace(
        admin=make_user("admin", grants=[(Role.SYSADMIN, root)]),
        committee=make_user("committee", grants=[(Role.COMMITTEE_ADMIN, root)]),
        sec1=make_user("sec1", person=sec1_person, grants=[(Role.BRANCH_SECRETARY, b1)]),
        sec2=make_user("sec2", person=sec2_person, grants=[(Role.BRANCH_SECRETARY, b2)]),
        discipline=make_user("discipline", grants=[(Role.DISCIPLINE, root)]),
        leader=make_user("leader", grants=[(Role.LEADER, root)]),
        member=make_user("member", person=zhang, grants=[(Role.MEMBER, b1)]),
        nobody=make_user("nobody"),
    )
    return SimpleNamespace(
        root=root,
        b1=b1,
        b2=b2,
        cell=cell,
        organ=organ,
        library=library,
        office=office,
        finance=finance,
        zhang=zhang,
        li=li,
        wang=wang,
        zhao=zhao,
        qian=qian,
        sec1_person=sec1_person,
        sec2_person=sec2_person,
        users=users,
    )


@pytest.fixture
def est(bureau):
    """The bureau with every organization established in 2018 (so that the years tested owe
    organizational life): the meetings and the report tests."""
    from orgs.models import Organization

    Organization.all_objects.update(established_on=datetime.date(2018, 1, 1))
    for name in ("root", "b1", "b2", "cell"):
        getattr(bureau, name).refresh_from_db()
    return bureau


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
