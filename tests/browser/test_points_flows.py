"""Points in the browser: a member checks a point entry back to the meeting it came from (on a
desktop and on a phone); the committee approves a branch's addition and the member's score follows."""

from __future__ import annotations

import datetime

import pytest

from conftest import PASSWORD
from meetings import services as meeting_services
from points import services
from points.models import PointEntry
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
D = datetime.date


@pytest.fixture
def meetings(bureau):
    b = bureau
    R = meeting_services.AttendanceRow
    year = datetime.date.today().year
    general = meeting_services.meeting_create(
        actor=b.users.sec1,
        data={
            "organization": b.b1,
            "kind": "branch_general_meeting",
            "held_on": D(year, 1, 12),
            "topic": "传达学习全会精神",
        },
        attendance=[R(b.zhang, "present"), R(b.li, "leave", "出差"), R(b.sec1_person, "present")],
    )
    lecture = meeting_services.meeting_create(
        actor=b.users.sec1,
        data={
            "organization": b.b1,
            "kind": "party_lecture",
            "held_on": D(year, 1, 20),
            "topic": "普通党员讲党课：我的入党故事",
            "lecturer": b.zhang,
        },
        attendance=[R(b.zhang, "present"), R(b.sec1_person, "absent")],
    )
    return general, lecture


def test_member_checks_an_entry_back_to_its_meeting(bureau, meetings, live_server, page, shot):
    general, lecture = meetings
    login(page, live_server, "member", PASSWORD)
    page.wait_for_selector("#due-items, main")
    page.click("nav >> text=我的积分")
    page.wait_for_selector("#entry-table")
    # 60 + 1 (general meeting) + 1 (lecture attended) + 3 (lecture given).
    assert page.inner_text("#my-score").startswith("65")
    table = page.inner_text("#entry-table")
    assert "出席支部党员大会：传达学习全会精神" in table
    assert "讲党课：普通党员讲党课：我的入党故事" in table
    assert "讲党课加分" in table and "参加三会一课/组织生活加分" in table
    shot("points-my-points")

    # The source link opens the meeting record (the member attended it).
    row = page.locator("#entry-table tr", has_text="出席支部党员大会：传达学习全会精神")
    row.locator("a.source-link").click()
    page.wait_for_selector("#meeting-info")
    assert page.url.endswith(f"/meetings/ledger/{general.pk}/")
    assert "传达学习全会精神" in page.inner_text("#meeting-info")
    assert "出席" in page.inner_text("#attendance-table tr:has-text('张三')")
    shot("points-entry-meeting")

    # The rule that priced it, from the entry's own page.
    page.go_back()
    page.locator("#entry-table a", has_text="讲党课：普通党员讲党课").click()
    page.wait_for_selector("#entry-info")
    assert "讲党课加分" in page.inner_text("#entry-info")
    page.click("#entry-info a:has-text('讲党课加分')")
    page.wait_for_selector("#points\\.lecture_given")
    assert "3" in page.inner_text("#points\\.lecture_given")
    shot("points-rules")


def test_member_page_on_a_phone(bureau, meetings, live_server, browser, shot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = context.new_page()
    login(phone, live_server, "member", PASSWORD)
    phone.goto(f"{live_server.url}/points/mine/")
    phone.wait_for_selector("#entry-table")
    assert phone.inner_text("#my-score").startswith("65")
    # The table scrolls inside its box rather than widening the page.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    shot("points-my-points-phone", phone)
    context.close()


def test_committee_approves_a_branch_addition(bureau, meetings, live_server, page, shot):
    b = bureau
    entry = services.manual_entry_create(
        actor=b.users.sec1,
        person=b.zhang,
        date=D(datetime.date.today().year, 2, 3),
        reason="在《海滨日报》发表理论文章",
        rule_code="points.article",
    )
    login(page, live_server, "committee", PASSWORD)
    page.wait_for_selector("#due-items")
    assert "积分加减分待审核：1条" in page.inner_text("#due-items")
    page.goto(f"{live_server.url}/points/review/")
    page.wait_for_selector("#entry-table")
    assert "在《海滨日报》发表理论文章" in page.inner_text("#entry-table")
    shot("points-review-queue")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#entry-table tr[data-entry='{entry.pk}'] button:has-text('通过')")
    page.wait_for_selector(".alert-success")
    entry.refresh_from_db()
    assert entry.status == "effective"
    page.goto(f"{live_server.url}/points/ranking/")
    page.wait_for_selector("#ranking-table")
    first = page.inner_text("#ranking-table tbody tr >> nth=0")
    assert "张三" in first and "68" in first
    shot("points-ranking")
    assert PointEntry.objects.filter(person=b.zhang, status="effective").count() == 4
