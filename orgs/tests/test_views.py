"""Organization and people pages: forms, scope and messages as a user meets them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.models import Handover, Organization, PartyPost, Person

pytestmark = pytest.mark.django_db


def test_secretary_assigns_and_ends_post_with_handover(bureau, client_for):
    c = client_for(bureau.users.sec1)
    r = c.post(
        reverse("orgs:post_assign", args=[bureau.b1.pk]),
        {"person": bureau.li.pk, "post": "affairs_officer", "start_on": "2021-03-01"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    post = PartyPost.objects.get(person=bureau.li, post="affairs_officer")
    # A person of the other branch is not offered.
    r = c.post(
        reverse("orgs:post_assign", args=[bureau.b1.pk]),
        {"person": bureau.wang.pk, "post": "publicity_member", "start_on": "2021-03-01"},
    )
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode()
    r = c.get(reverse("orgs:post_end", args=[post.pk]))
    assert r.status_code == 200
    r = c.post(
        reverse("orgs:post_end", args=[post.pk]),
        {
            "end_on": "2022-06-30",
            "successor": bureau.zhang.pk,
            "handover_items": "党员花名册\n会议记录本",
            "version": post.version,
        },
    )
    assert r.status_code == 302
    handover = Handover.objects.get(post=post)
    assert handover.to_person == bureau.zhang
    r = c.get(reverse("orgs:handover_detail", args=[handover.pk]))
    assert "会议记录本" in r.content.decode()
    # The open handover is on the secretary's home page.
    home = c.get(reverse("core:home")).content.decode()
    assert "离任交接" in home
    # Completing it closes the tracked item.
    r = c.post(reverse("orgs:handover_detail", args=[handover.pk]), {"completed_on": "2022-07-02"})
    assert r.status_code == 302
    handover.refresh_from_db()
    assert handover.completed_on is not None and handover.tracked_item.status == "done"


def test_other_branch_secretary_gets_404(bureau, client_for):
    c = client_for(bureau.users.sec2)
    assert c.get(reverse("orgs:person_detail", args=[bureau.zhang.pk])).status_code == 404
    assert c.get(reverse("orgs:person_edit", args=[bureau.zhang.pk])).status_code == 404
    assert c.post(reverse("orgs:person_delete", args=[bureau.zhang.pk])).status_code == 404
    assert c.get(reverse("orgs:organization_detail", args=[bureau.b1.pk])).status_code == 404
    assert Person.objects.filter(pk=bureau.zhang.pk).exists()


def test_person_form_errors_are_chinese_and_keep_input(bureau, client_for):
    c = client_for(bureau.users.sec1)
    r = c.post(
        reverse("orgs:person_create"),
        {"name": "新同志", "party_status": "full", "organization": bureau.b1.pk, "id_number": "370602199001011230"},
    )
    body = r.content.decode()
    assert r.status_code == 200
    assert "请修正以下问题" in body
    assert "党员须填写入党日期" in body
    assert "校验位" in body or "身份证号" in body
    assert 'value="新同志"' in body
    assert not Person.objects.filter(name="新同志").exists()


def test_secretary_cannot_create_person_in_other_branch(bureau, client_for):
    c = client_for(bureau.users.sec1)
    r = c.post(
        reverse("orgs:person_create"),
        {"name": "越权", "party_status": "non_member", "organization": bureau.b2.pk},
    )
    assert r.status_code == 200
    assert not Person.objects.filter(name="越权").exists()


def test_committee_creates_branch_and_sees_term_warning(bureau, client_for):
    today = timezone.localdate()
    term_start = today.replace(year=today.year - 3) + datetime.timedelta(days=30)
    c = client_for(bureau.users.committee)
    r = c.post(
        reverse("orgs:organization_create"),
        {
            "name": "文化馆党支部",
            "code": "T03",
            "org_type": "branch",
            "parent": bureau.root.pk,
            "sort_order": 3,
            "term_start": term_start.isoformat(),
        },
    )
    assert r.status_code == 302
    org = Organization.objects.get(code="T03")
    assert org.path.startswith(bureau.root.path)
    page = c.get(reverse("orgs:organization_detail", args=[org.pk])).content.decode()
    # A branch term is 3 years: this one ends in 30 days, inside the 90-day warning window.
    assert "任期将于" in page and "请提前做好换届准备" in page


def test_member_sees_only_own_record(bureau, client_for):
    c = client_for(bureau.users.member)
    assert c.get(reverse("orgs:my_record")).url == reverse("orgs:person_detail", args=[bureau.zhang.pk])
    assert c.get(reverse("orgs:person_detail", args=[bureau.zhang.pk])).status_code == 200
    assert c.get(reverse("orgs:person_detail", args=[bureau.li.pk])).status_code == 404
    assert c.get(reverse("orgs:person_list")).status_code == 403


def test_admin_maintains_units_and_departments(bureau, client_for):
    from core.audit import entries_for
    from orgs.models import Department

    c = client_for(bureau.users.committee)
    r = c.post(
        reverse("orgs:department_create"),
        {
            "name": "产业发展科",
            "unit": bureau.organ.pk,
            "organization": bureau.b2.pk,
            "is_administrative": "on",
            "sort_order": 5,
        },
    )
    assert r.status_code == 302
    dept = Department.objects.get(name="产业发展科")
    assert entries_for(dept).filter(action="orgs.department.created").exists()
    r = c.post(
        reverse("orgs:department_edit", args=[dept.pk]),
        {
            "name": "产业发展科",
            "unit": bureau.organ.pk,
            "organization": bureau.b1.pk,
            "sort_order": 5,
            "version": dept.version,
        },
    )
    assert r.status_code == 302
    dept.refresh_from_db()
    assert dept.organization == bureau.b1 and dept.is_administrative is False
    # Duplicate names within a unit are refused with a message, nothing written.
    r = c.post(reverse("orgs:department_create"), {"name": "产业发展科", "unit": bureau.organ.pk, "sort_order": 1})
    assert r.status_code == 200 and Department.objects.filter(name="产业发展科").count() == 1
    assert "请修正以下问题" in r.content.decode()
