"""`load_demo`: the seed bureau, deterministic, and never mixed into someone else's data."""

from __future__ import annotations

import datetime
import hashlib
import json
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from core.models import AuditEntry, Rule, TrackedItem
from core.rules import seed_rules
from orgs import demo, selectors, services
from orgs.models import Department, Handover, Organization, PartyPost, Person, PostType, Unit
from orgs.validators import birth_date_from_id, gender_from_id, validate_id_number

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "admin": (Role.SYSADMIN, "海滨市文化和旅游局机关党委"),
    "committee": (Role.COMMITTEE_ADMIN, "海滨市文化和旅游局机关党委"),
    "branch1": (Role.BRANCH_SECRETARY, "机关第一党支部"),
    "branch2": (Role.BRANCH_SECRETARY, "机关第二党支部"),
    "discipline": (Role.DISCIPLINE, "海滨市文化和旅游局机关党委"),
    "leader": (Role.LEADER, "海滨市文化和旅游局机关党委"),
    "member": (Role.MEMBER, "机关第一党支部"),
}


@pytest.fixture(autouse=True)
def _only_these_demo_areas(monkeypatch):
    """Build only the areas this module checks: the full demo (every area) takes ~25 s a load;
    reports/tests/test_demo_report.py loads it whole."""
    from orgs import demo as orgs_demo

    monkeypatch.setattr(orgs_demo, "DEMO_AREAS", ())


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def digest() -> str:
    rows = sorted(Person.all_objects.values_list("name", "id_number", "phone", "organization__code"))
    accounts = sorted(User.objects.values_list("username", "person__name"))
    return hashlib.sha256(json.dumps([rows, accounts], ensure_ascii=False).encode()).hexdigest()


def test_builds_the_seed_bureau():
    output = load()
    root = Organization.objects.get(code=demo.ROOT_CODE)
    assert root.name == "海滨市文化和旅游局机关党委"
    assert root.org_type == "committee" and root.parent is None

    branches = Organization.objects.filter(org_type="branch")
    assert set(branches.values_list("name", flat=True)) == {
        "机关第一党支部",
        "机关第二党支部",
        "文化馆党支部",
        "图书馆党支部",
    }
    assert all(b.parent_id == root.pk for b in branches)
    generals = Organization.objects.filter(org_type="general_branch")
    assert set(generals.values_list("name", flat=True)) == {"庄户剧团党总支", "旅游行业党总支"}
    assert all(g.is_industry and g.parent_id == root.pk for g in generals)
    cells = Organization.objects.filter(org_type="cell")
    assert cells.count() >= 2 and all(c.parent.org_type == "branch" for c in cells)
    for org in Organization.objects.exclude(parent=None):
        assert org.path == org.parent.path + f"{org.pk:06d}." and org.depth == org.parent.depth + 1
    for org in list(branches) + list(generals):
        assert org.fixed_theme_day and org.term_start and org.established_on <= org.term_start

    admin_depts = Department.objects.filter(is_administrative=True)
    assert admin_depts.count() == 6
    assert {d.unit.unit_type for d in admin_depts} == {"organ"}
    assert all(d.organization.org_type == "branch" for d in admin_depts)
    assert set(Unit.objects.values_list("unit_type", flat=True)) == {"organ", "troupe", "affiliated"}
    assert Unit.objects.filter(name__contains="庄户剧团", unit_type="troupe").exists()

    people = list(Person.objects.all())
    assert 60 <= len(people) <= 120
    statuses = {p.party_status for p in people}
    assert statuses == {"full", "probationary", "activist", "non_member"}
    assert sum(p.party_status == "full" for p in people) > len(people) / 2
    assert len({p.name for p in people}) == len(people)
    for p in people:
        assert validate_id_number(p.id_number) == p.id_number
        assert p.birth_date == birth_date_from_id(p.id_number) and p.gender == gender_from_id(p.id_number)
        assert p.phone.isdigit() and len(p.phone) == 11
        assert p.name_pinyin and p.name_initials
        if p.party_status in ("full", "probationary"):
            assert p.birth_date + datetime.timedelta(days=18 * 365) < p.joined_party_on <= timezone.localdate()
        else:
            assert p.joined_party_on is None
        if p.party_status == "full":
            assert p.full_member_on > p.joined_party_on

    # The leadership team: one 党组书记 as 第一责任人, 4–5 members with 一岗双责.
    secretary = Person.objects.get(leadership_role__contains="第一责任人")
    assert secretary.leadership_role == "党组书记、局长（第一责任人）"
    members = Person.objects.filter(is_leadership_member=True).exclude(pk=secretary.pk)
    assert 4 <= members.count() <= 5
    assert all("一岗双责" in m.leadership_role and m.is_leader for m in members)
    assert secretary.is_leader and secretary.is_leadership_member

    # Accounts: the seven demo accounts, each with its role, the demo password and no forced change.
    assert set(User.objects.values_list("username", flat=True)) == set(EXPECTED_ROLES)
    for username, (role, org_name) in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        assert not user.must_change_password
        assert list(RoleGrant.objects.filter(user=user).values_list("role", "organization__name")) == [(role, org_name)]
    b1 = Organization.objects.get(name="机关第一党支部")
    b2 = Organization.objects.get(name="机关第二党支部")
    for username, org in (("branch1", b1), ("branch2", b2)):
        person = User.objects.get(username=username).person
        assert PartyPost.objects.filter(person=person, organization=org, post=PostType.SECRETARY, end_on=None).exists()
    assert User.objects.get(username="leader").person == secretary
    discipline = User.objects.get(username="discipline").person
    assert PartyPost.objects.filter(person=discipline, post=PostType.DISCIPLINE_MEMBER, end_on=None).exists()
    member = User.objects.get(username="member").person
    assert member.organization == b1 and not member.posts.exists() and not member.is_leader

    for username in EXPECTED_ROLES:
        assert username in output
    assert "demo12345" in output and "用户名" in output and "密码" in output


def test_every_branch_has_its_posts_handovers_and_warnings():
    load()
    today = timezone.localdate()
    branches = Organization.objects.filter(org_type="branch")
    for branch in branches:
        current = set(PartyPost.objects.filter(organization=branch, end_on=None).values_list("post", flat=True))
        assert {
            PostType.SECRETARY,
            PostType.ORGANIZATION_MEMBER,
            PostType.PUBLICITY_MEMBER,
            PostType.DISCIPLINE_MEMBER,
            PostType.AFFAIRS_OFFICER,
        } <= current, branch.name

    # 换届提醒: one branch's term ends within 90 days, one has expired — relative to today.
    states = {b.name: selectors.term_status(b, today)["state"] for b in branches}
    assert list(states.values()).count("due") == 1 and list(states.values()).count("expired") == 1
    due = next(b for b in branches if states[b.name] == "due")
    assert 0 <= selectors.term_status(due, today)["days"] <= 90

    # Committee (≥ 7 正式党员) recorded consistently except for exactly one branch.
    orgs = list(Organization.objects.filter(org_type__in=["branch", "general_branch"]))
    counts = selectors.full_member_counts(orgs)
    mismatched = [o.name for o in orgs if selectors.committee_check(o, counts[o.pk])["mismatch"]]
    assert len(mismatched) == 1
    assert any(o.has_committee for o in orgs) and any(not o.has_committee for o in orgs)

    # One completed handover in the past, one still open (with its tracked item).
    done = Handover.objects.get(completed_on__isnull=False)
    assert done.completed_on < today and done.tracked_item.status == "done"
    open_ = Handover.objects.get(completed_on__isnull=True)
    assert open_.post.post == PostType.AFFAIRS_OFFICER and open_.post.end_on >= today - datetime.timedelta(days=7)
    assert open_.tracked_item.status == "open" and open_.to_person is not None
    assert TrackedItem.objects.filter(kind=services.HANDOVER_KIND).count() == 2


def test_everything_is_audited_as_system():
    load()
    assert AuditEntry.objects.filter(action="orgs.person.created").count() == Person.objects.count()
    assert AuditEntry.objects.filter(action="orgs.organization.created").count() == Organization.objects.count()
    assert AuditEntry.objects.filter(action="orgs.post.assigned").count() == PartyPost.objects.count()
    assert AuditEntry.objects.filter(action="accounts.user.created").count() == 7
    assert set(AuditEntry.objects.values_list("actor_name", flat=True)) == {"系统"}
    assert not AuditEntry.objects.exclude(actor=None).exists()


def test_demo_accounts_log_in_with_the_demo_password(client):
    load()
    for username in EXPECTED_ROLES:
        client.logout()
        r = client.post(reverse("accounts:login"), {"username": username, "password": "demo12345"})
        assert r.status_code == 302, username
        assert int(client.session["_auth_user_id"]) == User.objects.get(username=username).pk
        assert "password" not in r.url  # no forced password change
    client.logout()
    r = client.post(reverse("accounts:login"), {"username": "admin", "password": "wrong-password"})
    assert r.status_code != 302 and "_auth_user_id" not in client.session


def test_is_deterministic_across_fresh_databases():
    load()
    first = digest()
    # Primary keys depend on the database's sequences (not reset by a rollback on PostgreSQL), so
    # compare the tree by codes and order.
    tree = Organization.objects.order_by("path").values_list("code", "name", "parent__code", "depth")
    first_orgs = list(tree)
    connection.check_constraints()  # PostgreSQL cannot TRUNCATE with deferred FK checks pending
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()
    seed_rules(Rule)
    assert demo.database_state() == "empty"
    load()
    assert digest() == first
    assert list(tree.all()) == first_orgs


def test_second_run_and_if_empty_leave_demo_data_alone():
    load()
    before = digest(), AuditEntry.objects.count()
    assert demo.database_state() == "demo"
    assert "无需重复加载" in load()
    again = load("--if-empty")
    # `make run` on a database it loaded before: nothing written, the accounts shown again.
    assert again.startswith("数据库已有数据，跳过演示数据")
    assert "committee" in again and "demo12345" in again
    assert (digest(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("kind", ["organization", "user", "unit"])
def test_refuses_a_database_with_foreign_data(kind):
    if kind == "organization":
        services.organization_create(actor=None, data={"name": "某局机关党委", "code": "X1", "org_type": "committee"})
    elif kind == "user":
        User.objects.create_user(username="someone", password="x-long-password")
    else:
        Unit.objects.create(name="某单位", unit_type="organ")
    before = AuditEntry.objects.count()
    assert demo.database_state() == "foreign"
    with pytest.raises(CommandError, match="不是由 load_demo 创建"):
        load()
    assert not Organization.all_objects.filter(code=demo.ROOT_CODE).exists()
    assert not Person.all_objects.exists()
    assert not User.objects.filter(username__in=demo.DEMO_USERNAMES).exists()
    assert AuditEntry.objects.count() == before


def test_refuses_demo_root_next_to_foreign_accounts():
    load()
    User.objects.create_user(username="real_person", password="x-long-password")
    assert demo.database_state() == "foreign"
    with pytest.raises(CommandError):
        load()


def test_if_empty_is_a_silent_no_op_on_foreign_data():
    services.organization_create(actor=None, data={"name": "某局机关党委", "code": "X1", "org_type": "committee"})
    out = load("--if-empty")
    assert out.strip() == "数据库已有数据，跳过演示数据"
    assert Organization.objects.count() == 1 and not User.objects.exists()


@override_settings(DEMO_ALLOWED=False)
def test_refuses_when_demo_is_not_allowed():
    with pytest.raises(CommandError, match="DJANGO_DEMO_ALLOWED=1"):
        load()
    assert not Organization.all_objects.exists() and not User.objects.exists()


def test_if_empty_on_an_empty_database_loads():
    out = load("--if-empty")
    assert "演示账号" in out
    assert Organization.objects.filter(code=demo.ROOT_CODE).exists()
