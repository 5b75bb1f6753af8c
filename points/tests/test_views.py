"""Pages: a member checks an entry back to its meeting; the branch enters, the committee approves;
the rules catalogue; a member sees only their own points, a branch only its members'."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from points.models import EntryStatus, PointEntry
from points.tests.conftest import ABSENT, PRESENT

pytestmark = pytest.mark.django_db
D = datetime.date


def test_member_follows_an_entry_to_the_meeting(bureau, meeting, client_for):
    b = bureau
    attended = meeting(
        b.b1, "branch_general_meeting", D(2022, 5, 10), {b.zhang: PRESENT, b.li: PRESENT}, topic="学习党的二十大精神"
    )
    missed = meeting(b.b1, "theme_party_day", D(2022, 6, 10), {b.zhang: ABSENT, b.li: PRESENT}, topic="主题党日")
    other = meeting(b.b2, "theme_party_day", D(2022, 6, 12), {b.wang: PRESENT}, topic="第二支部主题党日")
    client = client_for(b.users.member)
    html = client.get(reverse("points:mine") + "?year=2022").content.decode()
    assert 'id="my-score">59' in html  # 60 + 1 − 2
    assert "出席支部党员大会：学习党的二十大精神" in html and "无故缺席主题党日：主题党日" in html
    assert "第二支部主题党日" not in html
    links = re.findall(r'href="(/meetings/ledger/\d+/)" class="source-link"', html)
    assert sorted(links) == sorted(reverse("meetings:meeting_detail", args=[m.pk]) for m in (attended, missed))
    for url in links:  # the member may open the meetings they were on the list of
        assert client.get(url).status_code == 200
    assert client.get(reverse("meetings:meeting_detail", args=[other.pk])).status_code == 404
    entry = PointEntry.objects.get(person=b.zhang, object_id=attended.pk)
    detail = client.get(reverse("points:entry_detail", args=[entry.pk])).content.decode()
    assert "参加三会一课/组织生活加分" in detail and reverse("meetings:meeting_detail", args=[attended.pk]) in detail
    # Another member's entry is not found; nor is the ranking a member's page.
    wang_entry = PointEntry.objects.get(person=b.wang)
    assert client.get(reverse("points:entry_detail", args=[wang_entry.pk])).status_code == 404
    assert client.get(reverse("points:ranking")).status_code == 403
    # The year switch: 2023 starts again from the base.
    assert 'id="my-score">60' in client.get(reverse("points:mine") + "?year=2023").content.decode()


def test_branch_enters_committee_approves(bureau, client_for):
    b = bureau
    client = client_for(b.users.sec1)
    form = client.get(reverse("points:entry_create")).content.decode()
    assert "张三" in form and "王五" not in form  # only the branch's members are offered
    assert "发表文章加分（+3分）" in form and "参加三会一课" not in form  # derived rules are not offered
    # A member of another branch is refused, nothing is saved.
    response = client.post(
        reverse("points:entry_create"), {"person": b.wang.pk, "date": "2022-05-01", "reason": "表现突出", "points": "2"}
    )
    assert response.status_code == 200 and not PointEntry.objects.exists()
    response = client.post(
        reverse("points:entry_create"),
        {"person": b.zhang.pk, "date": "2022-05-01", "reason": "在《海滨日报》发表文章", "rule_code": "points.article"},
    )
    entry = PointEntry.objects.get()
    assert response.status_code == 302 and entry.status == EntryStatus.PENDING and entry.points == 3
    queue = client.get(reverse("points:review_queue")).content.decode()
    assert "在《海滨日报》发表文章" in queue and "通过</button>" not in queue  # the branch cannot approve
    committee = client_for(b.users.committee)
    queue = committee.get(reverse("points:review_queue")).content.decode()
    assert 'data-total="1"' in queue and "通过</button>" in queue
    response = committee.post(
        reverse("points:entry_approve", args=[entry.pk]), {"next": reverse("points:review_queue")}
    )
    assert response.status_code == 302 and response.url == reverse("points:review_queue")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.EFFECTIVE
    html = client_for(b.users.member).get(reverse("points:mine") + "?year=2022").content.decode()
    assert 'id="my-score">63' in html
    # Rejecting needs a reason; the page says so and nothing changes.
    second = PointEntry.objects.create(
        person=b.zhang,
        year=2022,
        date=D(2022, 6, 1),
        points=2,
        kind="manual",
        source="manual",
        description="表现突出",
        status=EntryStatus.PENDING,
        org_path=b.zhang.org_path,
        created_by=b.users.sec1,
    )
    committee = client_for(b.users.committee)
    response = committee.post(reverse("points:entry_reject", args=[second.pk]), {"reason": ""}, follow=True)
    assert "退回时请写明理由" in response.content.decode()
    second.refresh_from_db()
    assert second.status == EntryStatus.PENDING


def test_rules_catalogue_says_how_each_rule_is_applied(bureau, client_for):
    html = client_for(bureau.users.member).get(reverse("points:rules") + "?year=2022").content.decode()
    assert 'id="points.attend_meeting"' in html and "系统根据组织生活记录自动计分" in html
    assert "支部录入，机关党委审核后生效" in html  # e.g. points.article
    assert "使用本平台本身（登录、在线时长、打卡等）不计分" in html
    assert "规则配置" not in html  # only administrators get the link to edit rules
    assert "规则配置" in client_for(bureau.users.committee).get(reverse("points:rules")).content.decode()


def test_branch_sees_only_its_members(bureau, meeting, client_for):
    b = bureau
    meeting(b.b1, "branch_general_meeting", D(2022, 5, 10), {b.zhang: PRESENT})
    meeting(b.b2, "theme_party_day", D(2022, 6, 12), {b.wang: PRESENT})
    client = client_for(b.users.sec1)
    ranking = client.get(reverse("points:ranking") + "?period=2022").content.decode()
    assert "张三" in ranking and "王五" not in ranking
    entries = client.get(reverse("points:entry_list") + "?period=2022").content.decode()
    assert "张三" in entries and "王五" not in entries and 'data-total="1"' in entries
    assert client.get(reverse("points:person_points", args=[b.wang.pk])).status_code == 404
