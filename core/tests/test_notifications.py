import pytest
from django.db import transaction
from django.urls import reverse

from core.models import Notification
from core.notifications import inbox, notify, safe_relative_url

pytestmark = pytest.mark.django_db


def test_notify_and_dedupe(bureau):
    u = bureau.users.sec1
    first = notify(recipient=u, title="提醒一", body="内容", url="/orgs/people/", level="warning", dedupe_key="k1")
    assert first is not None and first.level == "warning"
    assert notify(recipient=u, title="提醒一（重复）", dedupe_key="k1") is None
    assert notify(recipient=bureau.users.sec2, title="提醒一", dedupe_key="k1") is not None  # per recipient
    assert notify(recipient=u, title="无去重键") is not None
    assert notify(recipient=u, title="无去重键") is not None
    assert Notification.objects.filter(recipient=u).count() == 3
    with pytest.raises(ValueError):
        notify(recipient=u, title="x", level="loud")


def test_notify_rolls_back_with_the_caller(bureau):
    u = bureau.users.sec1
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipient=u, title="回滚", dedupe_key="rb")
        raise RuntimeError
    assert not Notification.objects.filter(recipient=u).exists()


def test_external_urls_are_dropped(bureau):
    n = notify(recipient=bureau.users.sec1, title="x", url="https://evil.example/phish")
    assert n.url == ""
    for bad in ("//evil.example/", "http://evil.example", "javascript:alert(1)", "/\\evil.example", "orgs/"):
        assert safe_relative_url(bad) == "", bad
    assert safe_relative_url("/orgs/people/?q=zs") == "/orgs/people/?q=zs"


def test_inbox_unread_first(bureau):
    u = bureau.users.sec1
    a = notify(recipient=u, title="A")
    b = notify(recipient=u, title="B")
    c = notify(recipient=u, title="C")
    Notification.objects.filter(pk=c.pk).update(read_at=c.created_at)
    assert [n.title for n in inbox(u)] == ["B", "A", "C"]
    assert a and b


def test_inbox_page_mark_read_and_read_all(bureau, client_for):
    u = bureau.users.sec1
    n1 = notify(recipient=u, title="第一条通知", url="/orgs/people/")
    n2 = notify(recipient=u, title="第二条通知")
    other = notify(recipient=bureau.users.sec2, title="别人的通知")
    c = client_for(u)
    html = c.get(reverse("core:notifications")).content.decode()
    assert "第一条通知" in html and "第二条通知" in html and "别人的通知" not in html
    assert 'id="unread-count">2<' in html  # bell in the top bar
    assert "全部标为已读" in html and html.count(">标为已读</button>") == 2
    assert '共 <strong id="list-total">2</strong> 条' in html

    r = c.post(reverse("core:notification_read", args=[n2.pk]))
    assert r.status_code == 302
    n2.refresh_from_db()
    assert n2.read_at is not None
    r = c.post(reverse("core:notification_read", args=[n1.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "第一条通知" in r.content.decode() and ">标为已读<" not in r.content.decode()

    Notification.objects.filter(pk__in=[n1.pk, n2.pk]).update(read_at=None)
    r = c.post(reverse("core:notifications_read_all"), follow=True)
    assert "已将 2 条通知标为已读" in r.content.decode()
    assert not Notification.objects.filter(recipient=u, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None  # someone else's inbox untouched

    # Someone else's notification: 404, and it stays unread.
    assert c.post(reverse("core:notification_read", args=[other.pk])).status_code == 404
    assert c.get(reverse("core:notification_open", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
    assert c.get(reverse("core:notification_read", args=[n1.pk])).status_code == 405


def test_open_marks_read_and_redirects_relative_only(bureau, client_for):
    u = bureau.users.sec1
    n = notify(recipient=u, title="有链接", url="/orgs/people/")
    evil = Notification.objects.create(recipient=u, title="被篡改的链接", url="https://evil.example/")
    c = client_for(u)
    home = c.get(reverse("core:home")).content.decode()
    assert reverse("core:notification_open", args=[n.pk]) in home  # 工作台 links mark as read too
    r = c.get(reverse("core:notification_open", args=[n.pk]))
    assert r.status_code == 302 and r["Location"] == "/orgs/people/"
    n.refresh_from_db()
    assert n.read_at is not None
    r = c.get(reverse("core:notification_open", args=[evil.pk]))
    assert r["Location"] == reverse("core:notifications")


def test_read_all_next_is_not_an_open_redirect(bureau, client_for):
    c = client_for(bureau.users.sec1)
    r = c.post(reverse("core:notifications_read_all"), {"next": "https://evil.example/"})
    assert r["Location"] == reverse("core:notifications")


def test_anonymous_is_sent_to_login(client):
    r = client.get(reverse("core:notifications"))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
