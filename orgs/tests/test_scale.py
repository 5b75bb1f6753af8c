"""`generate_scale_data` builds a consistent synthetic tree; `bench` runs against it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, RoleGrant, User
from core.models import AuditEntry
from orgs import demo, selectors, services
from orgs.management.commands.generate_scale_data import ROOT_CODE, ScaleBuilder, chinese_number
from orgs.models import Department, Organization, Person
from orgs.validators import birth_date_from_id, gender_from_id, validate_id_number

pytestmark = pytest.mark.django_db


def generate(*args) -> str:
    out = StringIO()
    call_command("generate_scale_data", *args, stdout=out)
    return out.getvalue()


def test_small_tree_is_consistent():
    output = generate("--orgs", "50", "--people", "500", "--seed", "7")
    assert "完成" in output
    root = Organization.objects.get(code=ROOT_CODE)
    orgs = {o.pk: o for o in Organization.objects.all()}
    assert len(orgs) == 50
    assert root.parent is None and (root.path, root.depth) == services.path_for(None, root.pk)
    for org in orgs.values():
        assert org.code.startswith(demo.SCALE_CODE_PREFIX)
        if org.parent_id is None:
            continue
        parent = orgs[org.parent_id]
        assert org.path.startswith(parent.path)
        assert org.depth == parent.depth + 1
        assert (org.path, org.depth) == services.path_for(parent, org.pk)
        assert org.name_initials == services.pinyin_of(org.name)[1][:100]
        if org.org_type == "cell":
            assert parent.org_type in ("branch", "joint_branch")  # as services._validate_org requires
    types = {o.org_type for o in orgs.values()}
    assert {"committee", "branch", "cell"} <= types

    people = list(Person.objects.select_related("organization", "department__unit", "unit"))
    assert len(people) == 500
    assert len({p.id_number for p in people}) == 500
    for p in people:
        assert validate_id_number(p.id_number) == p.id_number
        assert p.birth_date == birth_date_from_id(p.id_number) and p.gender == gender_from_id(p.id_number)
        assert (p.name_pinyin, p.name_initials) == services.pinyin_of(p.name)
        assert p.organization.path.startswith(root.path) and p.organization.org_type != "committee"
        if p.joined_party_on:
            assert p.joined_party_on > p.birth_date
        if p.department_id:
            assert p.department.unit_id == p.unit_id

    # has_committee agrees with the ≥ 7 正式党员 rule everywhere.
    checked = [o for o in orgs.values() if o.org_type in ("branch", "general_branch")]
    counts = selectors.full_member_counts(checked)
    assert not [o.name for o in checked if selectors.committee_check(o, counts[o.pk])["mismatch"]]
    for dept in Department.objects.select_related("organization"):
        assert dept.organization.path.startswith(root.path)

    admin = User.objects.get(username=demo.SCALE_USERNAME)
    assert not admin.has_usable_password()
    assert RoleGrant.objects.filter(user=admin, role=Role.COMMITTEE_ADMIN, organization=root).exists()

    with pytest.raises(CommandError, match="已存在"):
        generate("--orgs", "10", "--people", "10")


def test_same_seed_same_data():
    def run(seed):
        b = ScaleBuilder(orgs=30, people=60, seed=seed, log=lambda m: None)
        b.plan_tree()
        return [p.name for p in b.plan]

    assert run(3) == run(3)
    generate("--orgs", "30", "--people", "60", "--seed", "3")
    names = sorted(Person.objects.values_list("name", "id_number"))
    connection.check_constraints()  # PostgreSQL cannot TRUNCATE with deferred FK checks pending
    call_command("flush", interactive=False, verbosity=0)
    generate("--orgs", "30", "--people", "60", "--seed", "3")
    assert sorted(Person.objects.values_list("name", "id_number")) == names


def test_runs_next_to_the_demo_without_making_it_foreign():
    call_command("load_demo", stdout=StringIO())
    generate("--orgs", "20", "--people", "100")
    assert demo.database_state() == "demo"
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()
    scale_root = Organization.objects.get(code=ROOT_CODE)
    demo_root = Organization.objects.get(code=demo.ROOT_CODE)
    assert not scale_root.path.startswith(demo_root.path) and not demo_root.path.startswith(scale_root.path)
    assert Person.objects.filter(organization__path__startswith=scale_root.path).count() == 100


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_people_list_queries_do_not_grow_with_people(client):
    builder = ScaleBuilder(orgs=50, people=500, seed=11, log=lambda m: None)
    result = builder.run()
    client.force_login(result["admin"])
    url = reverse("orgs:person_list")
    someone = Person.objects.order_by("pk").first()
    # Searches that match in both states (a search without hits skips the page query legitimately).
    pages = [url, f"{url}?page=3", f"{url}?q={someone.name_initials[:2]}", f"{url}?q={someone.name[0]}"]
    small = [_queries(client, u) for u in pages]
    builder.add_people(1500)
    assert Person.objects.count() == 2000
    assert selectors.people_visible(result["admin"]).count() == 2000
    large = [_queries(client, u) for u in pages]
    assert large == small


def test_bench_reports_pages(settings):
    ScaleBuilder(orgs=20, people=120, seed=2, log=lambda m: None).run()
    out = StringIO()
    call_command("bench", "--only", "list,search,orgs", "--repeat", "2", stdout=out)
    text = out.getvalue()
    assert "scale_admin" in text and "可见人员 120 人" in text
    for label in ("人员列表 第1页", "末页", "拼音首字母 zs", "姓名片段", "党组织列表"):
        assert label in text
    assert "失败" not in text


def test_chinese_numbers():
    assert [chinese_number(n) for n in (1, 10, 12, 20, 21, 100, 105, 110, 1001)] == [
        "一",
        "十",
        "十二",
        "二十",
        "二十一",
        "一百",
        "一百零五",
        "一百一十",
        "一千零一",
    ]


def test_refuses_real_data_and_production():
    services.organization_create(actor=None, data={"name": "某局机关党委", "code": "X1", "org_type": "committee"})
    with pytest.raises(CommandError, match="不是由 load_demo 创建"):
        generate("--orgs", "10", "--people", "10")
    assert not Organization.objects.filter(code=ROOT_CODE).exists() and not Person.objects.exists()


def test_refuses_when_demo_is_not_allowed(settings):
    settings.DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="DJANGO_DEMO_ALLOWED=1"):
        generate("--orgs", "10", "--people", "10")
    assert not Organization.objects.exists()


def test_bench_export_and_import_measure_without_changing_data():
    from core.management.commands.bench import run_export, run_import

    result = ScaleBuilder(orgs=20, people=150, seed=4, log=lambda m: None).run()
    admin = result["admin"]
    exported = run_export(admin)
    assert exported["rows"] == 150 and exported["file_mb"] > 0
    assert exported["peak_rss_mb"] >= exported["baseline_rss_mb"] > 0
    audit_before = AuditEntry.objects.count()
    imported = run_import(admin, 60)
    assert imported["outcome"] == "新增 60 人", imported
    assert imported["committed_then_rolled_back"] is True
    assert Person.objects.count() == 150 and AuditEntry.objects.count() == audit_before
