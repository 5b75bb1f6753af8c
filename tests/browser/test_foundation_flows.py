"""A user clicking through real pages: login, pinyin search, open a person, edit, see the audit entry."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt

from conftest import PASSWORD
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_search_edit_and_audit(bureau, live_server, page, shot):
    login(page, live_server, "committee", PASSWORD)
    page.wait_for_selector("text=待办事项")
    assert page.title().startswith("工作台")
    # The left navigation is grouped by area.
    assert page.locator(".pb-sidebar").get_by_text("组织与人员").is_visible()
    shot("home-committee")

    # Search by pinyin initials from the top bar: "zs" finds 张三.
    page.fill("header input[name=q]", "zs")
    page.press("header input[name=q]", "Enter")
    page.wait_for_selector("#search-people")
    assert page.locator("#search-people").get_by_role("link", name="张三").count() == 1
    shot("search-zs")

    page.locator("#search-people").get_by_role("link", name="张三").click()
    page.wait_for_selector("#person-info")
    # ID number masked in the page until revealed (and the reveal is audited).
    assert "********" in page.inner_text("#id-number")
    page.click("#reveal-id")
    page.wait_for_function("!document.querySelector('#id-number').innerText.includes('*')")
    assert page.inner_text("#id-number") == bureau.zhang.id_number

    page.click("#edit-person")
    page.fill("#id_phone", "13800138000")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=已保存")
    assert "13800138000" in page.inner_text("#person-info")
    history = page.inner_text("#audit-history")
    assert "修改人员" in history
    assert "13800138000" in history
    assert "查看完整身份证号" in history
    shot("person-after-edit")


def test_lockout_after_five_failures(bureau, live_server, page, shot):
    for _ in range(5):
        login(page, live_server, "sec1", "wrong-password")
    # The right password is now refused: the account is locked out.
    login(page, live_server, "sec1", PASSWORD)
    page.wait_for_selector("#locked-out")
    assert "锁定" in page.inner_text("#locked-out")
    assert AccessAttempt.objects.filter(username="sec1").exists()
    shot("locked-out")


def test_phone_width_layout(bureau, live_server, browser, shot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server, "member", PASSWORD)
    page.wait_for_selector("text=待办事项")
    # The navigation collapses behind a button at phone width.
    assert not page.locator("#pb-nav").is_visible()
    page.click("button[aria-label=打开导航]")
    page.wait_for_selector("#pb-nav.show")
    assert page.locator("#pb-nav").get_by_text("我的档案").is_visible()
    page.screenshot(path="test-artifacts/phone-nav.png")
    page.locator("#pb-nav").get_by_text("我的档案").click()
    page.wait_for_selector("#person-info")
    assert "张三" in page.inner_text("#person-info")
    context.close()
