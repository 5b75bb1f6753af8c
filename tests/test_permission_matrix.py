"""URL × role matrix: every view of the application, the status each role gets.

Each role runs every URL; state-changing requests run inside a savepoint that is rolled back, so
each URL sees the same data. A view added without a row here fails `test_every_view_is_in_the_matrix`.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core import attachments as attachment_services
from core.models import Notification
from meetings import services as meeting_services
from orgs import services as org_services
from tests.matrix import ADMINS, AUTH, READ, ROLES, expect, only  # noqa: F401

# Each area keeps its rows in `<app>/tests/matrix.py`: `MATRIX` (rows as below) and
# `world(bureau) -> dict` (the objects its rows point at, merged into the world fixture).
AREAS = ("supervision", "duties", "points", "assessment", "reports")


def _area_modules():
    import importlib

    modules = []
    for area in AREAS:
        try:
            modules.append(importlib.import_module(f"{area}.tests.matrix"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{area}.tests.matrix":
                raise
    return modules


AREA_MODULES = _area_modules()


@pytest.fixture
def world(bureau, tmp_path, settings):
    """Objects the URLs point at: a post and handover in branch 1, an attachment on 张三,
    a notification of sec1, a deleted person of branch 2."""
    settings.MEDIA_ROOT = tmp_path
    post = org_services.post_assign(
        actor=None, person=bureau.li, organization=bureau.b1, post="affairs_officer", start_on=datetime.date(2021, 1, 4)
    )
    post2 = org_services.post_assign(
        actor=None,
        person=bureau.zhang,
        organization=bureau.b1,
        post="publicity_member",
        start_on=datetime.date(2021, 1, 4),
    )
    org_services.post_end(actor=None, post=post, end_on=datetime.date(2022, 6, 30), successor=bureau.zhang)
    handover = post.handover
    attachment = attachment_services.attachment_add(
        actor=None, subject=bureau.zhang, uploaded_file=SimpleUploadedFile("入党志愿书.pdf", b"%PDF-1.4 test")
    )
    note = Notification.objects.create(recipient=bureau.users.sec1, title="测试通知", url="/")
    gone = org_services.person_create(
        actor=None, data={"name": "已删除", "organization": bureau.b2, "party_status": "non_member"}
    )
    org_services.person_delete(actor=None, person=gone)
    grant = bureau.users.sec1.grants.get()
    meeting = meeting_services.meeting_create(
        actor=None,
        data={
            "organization": bureau.b1,
            "kind": "branch_general_meeting",
            "held_on": datetime.date(2022, 5, 10),
            "topic": "支部党员大会",
        },
        attendance=[
            meeting_services.AttendanceRow(bureau.zhang, "present"),
            meeting_services.AttendanceRow(bureau.li, "leave", "出差"),
        ],
    )
    return {
        "meeting": meeting.pk,
        "b1": bureau.b1.pk,
        "b2": bureau.b2.pk,
        "cell": bureau.cell.pk,
        "zhang": bureau.zhang.pk,
        "wang": bureau.wang.pk,
        "post": post2.pk,
        "handover": handover.pk,
        "token": attachment.token,
        "note": note.pk,
        "gone": gone.pk,
        "office": bureau.office.pk,
        "organ": bureau.organ.pk,
        "sec1_user": bureau.users.sec1.pk,
        "grant": grant.pk,
        "admin_user": bureau.users.admin.pk,
        **_plan_world(bureau),
        **{k: v for module in AREA_MODULES for k, v in module.world(bureau).items()},
    }


# (url name, method, kwargs or a function of the world, data, expected per role)
W = "world"
MATRIX: list[tuple[str, str, dict, dict, dict[str, int]]] = [
    # core
    ("core:home", "get", {}, {}, expect(200)),
    ("core:search", "get", {}, {"q": "zs"}, expect(200)),
    ("core:person_options", "get", {}, {"source": "orgs.people", "q": "zs"}, expect(200)),
    ("core:switch_scope", "post", {}, {"org": "b1"}, expect(404, {frozenset({"sec1", "member"}): 302})),
    ("core:notifications", "get", {}, {}, expect(200)),
    ("core:notifications_read_all", "post", {}, {}, expect(302)),
    ("core:notification_open", "get", {"pk": "note"}, {}, expect(404, {"sec1": 302})),
    ("core:notification_read", "post", {"pk": "note"}, {}, expect(404, {"sec1": 302})),
    ("core:rule_list", "get", {}, {}, only(ADMINS, 200, 403)),
    ("core:rule_edit", "get", {"code": "org.term_warning_days"}, {}, only(ADMINS, 200, 403)),
    ("core:audit_list", "get", {}, {}, only(ADMINS, 200, 403)),
    ("core:recycle_bin", "get", {}, {}, only(ADMINS, 200, 403)),
    ("core:recycle_restore", "post", {"kind": "orgs.person", "pk": "gone"}, {}, only(ADMINS, 302, 403)),
    ("core:attachment_download", "get", {"token": "token"}, {}, expect(200, {frozenset({"sec2", "nobody"}): 404})),
    (
        "core:attachment_delete",
        "post",
        {"token": "token"},
        {},
        expect(302, {frozenset({"sec2", "nobody"}): 404, frozenset({"discipline", "leader", "member"}): 403}),
    ),
    (
        "core:attachment_upload",
        "post",
        {"model": "orgs.person", "object_id": "zhang"},
        {"file": "FILE"},
        expect(302, {frozenset({"sec2", "nobody"}): 404, frozenset({"discipline", "leader", "member"}): 403}),
    ),
    # accounts
    ("accounts:login", "get", {}, {}, expect(302, anon=200)),
    ("accounts:logout", "post", {}, {}, expect(302)),
    ("accounts:password_change", "get", {}, {}, expect(200)),
    ("accounts:user_list", "get", {}, {}, only(ADMINS, 200, 403)),
    ("accounts:user_create", "get", {}, {}, only(ADMINS, 200, 403)),
    ("accounts:user_detail", "get", {"pk": "sec1_user"}, {}, only(ADMINS, 200, 403)),
    ("accounts:user_edit", "get", {"pk": "sec1_user"}, {}, only(ADMINS, 200, 403)),
    ("accounts:user_reset_password", "get", {"pk": "sec1_user"}, {}, only(ADMINS, 200, 403)),
    ("accounts:user_deactivate", "post", {"pk": "sec1_user"}, {}, only(ADMINS, 302, 403)),
    ("accounts:user_reactivate", "post", {"pk": "sec1_user"}, {}, only(ADMINS, 302, 403)),
    ("accounts:user_unlock", "post", {"pk": "sec1_user"}, {}, only(ADMINS, 302, 403)),
    ("accounts:grant_add", "get", {"pk": "sec1_user"}, {}, only(ADMINS, 200, 403)),
    ("accounts:grant_remove", "post", {"pk": "sec1_user", "grant_pk": "grant"}, {}, only(ADMINS, 302, 403)),
    # orgs: organizations
    ("orgs:organization_list", "get", {}, {}, only(READ, 200, 403)),
    (
        "orgs:organization_create",
        "get",
        {},
        {"parent": "b1"},
        expect(200, {frozenset({"sec2", "nobody"}): 404, frozenset({"discipline", "leader", "member"}): 403}),
    ),
    ("orgs:organization_detail", "get", {"pk": "b1"}, {}, expect(200, {frozenset({"sec2", "nobody"}): 404})),
    (
        "orgs:organization_edit",
        "get",
        {"pk": "b1"},
        {},
        expect(200, {frozenset({"sec2", "nobody"}): 404, frozenset({"discipline", "leader", "member"}): 403}),
    ),
    (
        "orgs:organization_delete",
        "post",
        {"pk": "cell"},
        {},
        expect(302, {frozenset({"sec2", "nobody", "member"}): 404, frozenset({"sec1", "discipline", "leader"}): 403}),
    ),
    (
        "orgs:post_assign",
        "get",
        {"org_pk": "b1"},
        {},
        expect(200, {frozenset({"sec2", "nobody"}): 404, frozenset({"discipline", "leader", "member"}): 403}),
    ),
    (
        "orgs:post_end",
        "get",
        {"pk": "post"},
        {},
        expect(200, {frozenset({"sec2", "nobody"}): 404, frozenset({"discipline", "leader", "member"}): 403}),
    ),
    # orgs: people
    ("orgs:person_list", "get", {}, {}, only(READ, 200, 403)),
    ("orgs:person_create", "get", {}, {}, only({"admin", "committee", "sec1", "sec2"}, 200, 403)),
    ("orgs:person_detail", "get", {"pk": "zhang"}, {}, expect(200, {frozenset({"sec2", "nobody"}): 404})),
    ("orgs:person_detail", "get", {"pk": "wang"}, {}, expect(200, {frozenset({"sec1", "nobody", "member"}): 404})),
    (
        "orgs:person_edit",
        "get",
        {"pk": "zhang"},
        {},
        expect(200, {frozenset({"sec2", "nobody"}): 404, frozenset({"discipline", "leader", "member"}): 403}),
    ),
    (
        "orgs:person_delete",
        "post",
        {"pk": "zhang"},
        {},
        expect(302, {frozenset({"sec2", "nobody"}): 404, frozenset({"discipline", "leader", "member"}): 403}),
    ),
    (
        "orgs:person_reveal_id",
        "post",
        {"pk": "zhang"},
        {},
        expect(200, {frozenset({"sec2", "nobody", "discipline", "leader"}): 404}),
    ),
    ("orgs:handover_list", "get", {}, {}, only(READ, 200, 403)),
    ("orgs:handover_detail", "get", {"pk": "handover"}, {}, expect(200, {frozenset({"sec2", "nobody"}): 404})),
    ("orgs:department_list", "get", {}, {}, only(READ, 200, 403)),
    ("orgs:department_create", "get", {}, {}, only(ADMINS, 200, 403)),
    ("orgs:department_edit", "get", {"pk": "office"}, {}, expect(403, {frozenset(ADMINS): 200, "nobody": 404})),
    ("orgs:unit_create", "get", {}, {}, only(ADMINS, 200, 403)),
    ("orgs:unit_edit", "get", {"pk": "organ"}, {}, expect(403, {frozenset(ADMINS): 200, "nobody": 404})),
    ("orgs:my_record", "get", {}, {}, expect(404, {frozenset({"sec1", "sec2", "member"}): 302})),
    # orgs: Excel
    ("orgs:person_export", "get", {}, {}, only(READ, 200, 403)),
    ("orgs:person_import", "get", {}, {}, only({"admin", "committee", "sec1", "sec2"}, 200, 403)),
    ("orgs:person_import_template", "get", {}, {}, only({"admin", "committee", "sec1", "sec2"}, 200, 403)),
    ("orgs:person_import_confirm", "post", {}, {}, only({"admin", "committee", "sec1", "sec2"}, 302, 403)),
    ("orgs:organization_export", "get", {}, {}, only(READ, 200, 403)),
    ("orgs:organization_import", "get", {}, {}, only(ADMINS, 200, 403)),
    ("orgs:organization_import_template", "get", {}, {}, only(ADMINS, 200, 403)),
    ("orgs:organization_import_confirm", "post", {}, {}, only(ADMINS, 302, 403)),
    # meetings: the meeting ledger, form and record; 落实情况; a branch's view; 我的组织生活
    ("meetings:meeting_list", "get", {}, {}, only(READ, 200, 403)),
    (
        "meetings:meeting_list",
        "get",
        {},
        {"org": "b1", "period": "2022"},
        expect(200, {"sec2": 404, frozenset({"member", "nobody"}): 403}),
    ),
    ("meetings:meeting_create", "get", {}, {}, only({"admin", "committee", "sec1", "sec2"}, 200, 403)),
    (
        "meetings:meeting_create",
        "get",
        {},
        {"org": "b1", "kind": "branch_committee_meeting"},
        expect(403, {frozenset({"admin", "committee", "sec1"}): 200, "sec2": 404}),
    ),
    ("meetings:meeting_detail", "get", {"pk": "meeting"}, {}, expect(200, {frozenset({"sec2", "nobody"}): 404})),
    (
        "meetings:meeting_edit",
        "get",
        {"pk": "meeting"},
        {},
        expect(200, {frozenset({"sec2", "nobody"}): 404, frozenset({"discipline", "leader", "member"}): 403}),
    ),
    (
        "meetings:meeting_delete",
        "post",
        {"pk": "meeting"},
        {},
        expect(302, {frozenset({"sec2", "nobody"}): 404, frozenset({"discipline", "leader", "member"}): 403}),
    ),
    ("meetings:compliance", "get", {}, {}, only(READ, 200, 403)),
    (
        "meetings:branch_view",
        "get",
        {"org_pk": "b1"},
        {},
        expect(200, {"sec2": 404, frozenset({"member", "nobody"}): 403}),
    ),
    ("meetings:my_meetings", "get", {}, {}, expect(404, {frozenset({"sec1", "sec2", "member"}): 200})),
    # meetings: 年度组织生活计划
    ("meetings:plan_list", "get", {}, {}, only(READ, 200, 403)),
    ("meetings:plan_detail", "get", {"pk": "plan"}, {}, expect(200, {frozenset({"sec2", "member", "nobody"}): 404})),
    (
        "meetings:plan_generate",
        "post",
        {},
        {"organization": "b1", "year": "next_year"},
        expect(403, {frozenset({"admin", "committee", "sec1"}): 302, "sec2": 404}),
    ),
    (
        "meetings:plan_item_add",
        "get",
        {"pk": "plan"},
        {},
        expect(200, {frozenset({"sec2", "member", "nobody"}): 404, frozenset({"discipline", "leader"}): 403}),
    ),
    (
        "meetings:plan_item_edit",
        "get",
        {"pk": "plan_item"},
        {},
        expect(200, {frozenset({"sec2", "member", "nobody"}): 404, frozenset({"discipline", "leader"}): 403}),
    ),
    (
        "meetings:plan_item_delete",
        "post",
        {"pk": "plan_item"},
        {},
        expect(302, {frozenset({"sec2", "member", "nobody"}): 404, frozenset({"discipline", "leader"}): 403}),
    ),
    # meetings: Excel (ledger and attendance exports, import of historical meetings)
    ("meetings:meeting_export", "get", {}, {}, only(READ, 200, 403)),
    (
        "meetings:meeting_export",
        "get",
        {},
        {"org": "b2"},
        expect(200, {"sec1": 404, frozenset({"member", "nobody"}): 403}),  # another branch: 404
    ),
    ("meetings:attendance_export", "get", {}, {}, only(READ, 200, 403)),
    ("meetings:meeting_import", "get", {}, {}, only({"admin", "committee", "sec1", "sec2"}, 200, 403)),
    ("meetings:meeting_import_template", "get", {}, {}, only({"admin", "committee", "sec1", "sec2"}, 200, 403)),
    ("meetings:meeting_import_confirm", "post", {}, {}, only({"admin", "committee", "sec1", "sec2"}, 302, 403)),
]
for _module in AREA_MODULES:
    MATRIX += _module.MATRIX


def _resolve(kwargs: dict, world: dict) -> dict:
    return {k: world.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}


def _all_view_names(patterns=None, namespace=None) -> set[str]:
    names = set()
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # Django admin: superusers only, tested separately
            names |= _all_view_names(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}:{p.name}" if namespace else p.name)
    return names


def test_every_view_is_in_the_matrix():
    missing = _all_view_names() - {row[0] for row in MATRIX}
    assert not missing, f"views without a permission-matrix row: {sorted(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_matrix(role, bureau, world, client):
    failures = []
    for name, method, kwargs, data, expected in MATRIX:
        if role != "anon":
            client.force_login(getattr(bureau.users, role))  # again: a row may log out
        url = reverse(name, kwargs=_resolve(kwargs, world))
        payload = {k: world.get(v, v) for k, v in data.items()}
        if payload.get("file") == "FILE":
            payload["file"] = SimpleUploadedFile("会议记录.pdf", b"%PDF-1.4 x")
        with transaction.atomic():
            response = getattr(client, method)(url, payload)
            transaction.set_rollback(True)
        if response.status_code != expected[role]:
            failures.append(f"{method.upper()} {name} {url}: got {response.status_code}, expected {expected[role]}")
        if role == "anon" and expected[role] == 302:
            assert response.url.startswith(reverse("accounts:login")), (name, response.url)
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_django_admin_only_for_superusers(bureau, client):
    client.force_login(bureau.users.admin)  # a sysadmin grant is not Django staff
    assert client.get("/django-admin/").status_code == 302
    bureau.users.committee.is_staff = True
    bureau.users.committee.save()
    client.force_login(bureau.users.committee)
    assert client.get("/django-admin/").status_code == 302


def _plan_world(bureau) -> dict:
    """The 年度组织生活计划 rows' objects: branch 1's plan for this year and one of its items."""
    from django.utils import timezone

    from meetings import plans

    year = timezone.localdate().year
    plan = plans.life_plan_generate(actor=None, organization=bureau.b1, year=year)
    return {"plan": plan.pk, "plan_item": plan.items.first().pk, "next_year": str(year + 1)}
