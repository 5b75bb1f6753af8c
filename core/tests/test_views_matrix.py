"""URL × role matrix for core's pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.notifications import notify

pytestmark = pytest.mark.django_db

ROLES = ["admin", "committee", "sec1", "sec2", "discipline", "leader", "member", "nobody"]
ADMINS = {"admin", "committee"}

PAGES = {
    "core:home": None,
    "core:search": None,
    "core:notifications": None,
    "core:rule_list": ADMINS,
    "core:audit_list": ADMINS,
    "core:recycle_bin": ADMINS,
}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_matrix(bureau, client_for, name, who):
    allowed = PAGES[name]
    r = client_for(getattr(bureau.users, who)).get(reverse(name))
    expected = 200 if allowed is None or who in allowed else 403
    assert r.status_code == expected


@pytest.mark.parametrize("name", [*PAGES, "core:notifications_read_all"])
def test_anonymous_goes_to_login(client, name):
    r = client.get(reverse(name))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))


def test_rule_edit_matrix(bureau, client_for):
    url = reverse("core:rule_edit", args=["meeting.freq.branch_general_meeting"])
    for who in ROLES:
        status = client_for(getattr(bureau.users, who)).get(url).status_code
        assert status == (200 if who in ADMINS else 403), who


def test_page_titles_and_breadcrumbs(bureau, client_for):
    c = client_for(bureau.users.committee)
    for name, title in [
        ("core:rule_list", "规则配置"),
        ("core:audit_list", "审计日志"),
        ("core:recycle_bin", "回收站"),
    ]:
        html = c.get(reverse(name)).content.decode()
        assert f"<title>{title} · 机关党建工作平台</title>" in html
        assert 'class="breadcrumb-item">系统管理</li>' in html or ">系统管理<" in html
        assert f'aria-current="page">{title}</li>' in html


def _count(c, url):
    c.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx)


def test_notifications_page_query_count_is_constant(bureau, client_for):
    c = client_for(bureau.users.sec1)
    url = reverse("core:notifications")
    notify(recipient=bureau.users.sec1, title="一")
    small = _count(c, url)
    for i in range(25):
        notify(recipient=bureau.users.sec1, title=f"通知{i}", level="warning")
    assert _count(c, url) == small


def test_rule_list_query_count_is_constant(bureau, client_for):
    from core.rules import rule_set_value

    c = client_for(bureau.users.committee)
    url = reverse("core:rule_list")
    small = _count(c, url)
    for year in range(2019, 2026):
        rule_set_value(actor=bureau.users.admin, code="points.base", year=year, value=60 + year - 2018)
    assert _count(c, url) == small
