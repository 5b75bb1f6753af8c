"""Organizational life in the browser: a 党务干部 goes from the home page's due item to a saved
支委会 record with attendance; the committee looks at the heatmap."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conftest import PASSWORD
from meetings import services
from meetings.models import Attendance, Meeting, TopicSubtype
from meetings.selectors import expected_attendees
from orgs import services as org_services
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def committee_b1(bureau):
    start = datetime.date(2021, 1, 4)
    for person, post in (
        (bureau.sec1_person, "secretary"),
        (bureau.zhang, "publicity_member"),
        (bureau.li, "organization_member"),
    ):
        org_services.post_assign(actor=None, person=person, organization=bureau.b1, post=post, start_on=start)


def test_secretary_records_committee_meeting_from_home(bureau, committee_b1, live_server, page, shot):
    login(page, live_server, "sec1", PASSWORD)
    page.wait_for_selector("#due-items")
    assert "本月还需召开" in page.inner_text("#due-items")
    shot("meetings-home-due")

    # The due item opens the form pre-filled with the branch, the type and the committee.
    page.locator("#due-items a[href*='kind=branch_committee_meeting']").first.click()
    page.wait_for_selector("#attendance-table")
    assert page.locator("#id_organization option:checked").inner_text().strip() == "机关第一党支部"
    assert page.locator("#id_kind").input_value() == "branch_committee_meeting"
    assert "支部委员会会议一般每月召开1次" in page.inner_text("#kind-rule-help")
    rows = page.locator("#attendance-table tbody tr[data-person]")
    assert rows.count() == 3
    # The subtype field is only for 专题会议.
    assert not page.locator("#subtype-group").is_visible()

    page.fill("#id_topic", "研究11月发展党员工作")
    page.fill("#id_place", "三楼会议室")
    page.select_option("#id_host", label="孙书记")
    page.fill("#id_minutes", "一、传达上级会议精神；二、研究发展党员工作。")
    page.fill("#id_decisions", "同意李某某列为发展对象。")
    li = bureau.li.pk
    page.check(f"#att-{li}-leave")
    # The counts and the quorum follow the ticks as they change.
    assert page.inner_text("#attendance-counts [data-count=leave]") == "1"
    assert "到会2人" in page.inner_text("#quorum-text")
    shot("meetings-form-filled")

    # Saving without the reason for 请假 is refused; nothing typed is lost.
    page.click("#save-meeting")
    page.wait_for_selector(".pb-row-error")
    assert "“李四”请假须填写原因" in page.inner_text("main")
    assert page.input_value("#id_topic") == "研究11月发展党员工作"
    assert page.locator(f"#att-{li}-leave").is_checked()
    assert Meeting.objects.count() == 0
    shot("meetings-form-leave-error")

    page.fill(f"input[name=att_reason_{li}]", "赴省厅参加培训")
    page.click("#save-meeting")
    page.wait_for_selector("#attendance-summary")
    meeting = Meeting.objects.get()
    assert (meeting.expected_count, meeting.present_count, meeting.leave_count, meeting.absent_count) == (3, 2, 1, 0)
    assert Attendance.objects.get(meeting=meeting, person=bureau.li).reason == "赴省厅参加培训"
    summary = page.inner_text("#attendance-summary")
    assert all(label in summary for label in ("应到", "实到", "请假", "缺席"))
    for key, value in (("expected", "3"), ("present", "2"), ("leave", "1"), ("absent", "0")):
        assert page.inner_text(f"#attendance-summary [data-count={key}]") == value
    assert "达到法定人数" in page.inner_text("#quorum-status")
    assert "赴省厅参加培训" in page.inner_text("#attendance-table")
    assert "登记会议" in page.inner_text("#audit-history")
    assert page.locator(".pb-attachments input[type=file]").count() == 1
    shot("meetings-detail-saved")

    # The branch view now shows this month's 支委会 as done.
    page.goto(f"{live_server.url}/meetings/compliance/{bureau.b1.pk}/")
    page.wait_for_selector("#obligations-month")
    assert "支委会" in page.inner_text("#obligations-month")
    assert "✓ 已完成" in page.inner_text("#obligations-month")
    shot("meetings-branch-view")


def test_committee_heatmap(bureau, committee_b1, live_server, page, shot):
    today = timezone.localdate()
    for org in (bureau.root, bureau.b1, bureau.b2):
        org.established_on = datetime.date(today.year - 3, 1, 1)
        org.save(update_fields=["established_on"])

    def hold(org, kind, day, **extra):
        people = list(expected_attendees(org, kind, day))
        services.meeting_create(
            actor=bureau.users.committee,
            data={"organization": org, "kind": kind, "held_on": day, "topic": "学习会议", **extra},
            attendance=[services.AttendanceRow(p, "present") for p in people],
        )

    # Branch 1 keeps up most months; branch 2 falls behind after March.
    # This year, once enough months have passed to fall behind in; early in the year, last year.
    year, months = (today.year, today.month) if today.month > 4 else (today.year - 1, 13)
    for month in range(1, months):
        day = datetime.date(year, month, 10)
        hold(bureau.b1, "branch_committee_meeting", day)
        hold(bureau.b1, "theme_party_day", day)
        hold(bureau.cell, "cell_meeting", day)
        if month <= 3:
            hold(bureau.b2, "theme_party_day", day)
    for q in range(1, (months - 1) // 3 + 1):
        hold(bureau.b1, "branch_general_meeting", datetime.date(year, 3 * q, 15))
        hold(bureau.b1, "party_lecture", datetime.date(year, 3 * q, 16), lecturer=bureau.zhang)
    subtype = TopicSubtype.objects.get(code="integrity")
    hold(bureau.root, "topic_meeting", datetime.date(year, 4, 2), subtype=subtype)

    login(page, live_server, "committee", PASSWORD)
    page.wait_for_selector("#due-items")
    page.goto(f"{live_server.url}/meetings/compliance/?period={year}")
    page.wait_for_selector("#heatmap-table")
    page.wait_for_selector("#overdue-chart canvas")
    table = page.inner_text("#heatmap-table")
    assert "机关第一党支部" in table and "机关第二党支部" in table
    assert "支委会 ✓" in table and "主题党日 ✗" in table
    # Branch 2 is listed as falling behind; branch 1, which kept up, is not.
    behind = page.inner_text("#behind")
    assert "机关第二党支部" in page.inner_text("#behind li >> nth=0")
    assert "机关第一党支部" not in behind
    shot("meetings-heatmap")

    # A mark opens the ledger filtered to that organization, type and month; the total matches.
    link = page.locator("#heatmap-table a.pb-ob-link", has_text="支委会 ✓").first
    link.click()
    page.wait_for_selector("#meeting-table")
    assert page.inner_text("#list-total") == "1"
    shot("meetings-ledger-from-heatmap")


def test_form_switches_type_without_losing_input(bureau, live_server, page, shot):
    login(page, live_server, "committee", PASSWORD)
    page.wait_for_selector("#due-items")
    page.goto(f"{live_server.url}/meetings/ledger/new/?org={bureau.root.pk}")
    page.wait_for_selector("#meeting-form")
    page.fill("#id_topic", "传达学习全会精神")
    # Choosing the type regenerates the attendance list in place (htmx) and keeps what was typed.
    page.select_option("#id_kind", "organ_member_assembly")
    page.wait_for_selector("#form-notice")
    assert page.locator("#attendance-table tr[data-person]").count() == 6
    assert page.input_value("#id_topic") == "传达学习全会精神"
    assert "机关党委每年至少召开1次机关党员大会" in page.inner_text("#kind-rule-help")
    assert not page.locator("#subtype-group").is_visible()
    # 专题会议 asks for its subtype.
    page.select_option("#id_kind", "topic_meeting")
    page.wait_for_selector("#form-notice:has-text('专题会议')")
    page.wait_for_selector("#subtype-group", state="visible")
    assert page.input_value("#id_topic") == "传达学习全会精神"
    page.select_option("#id_subtype", label="意识形态")
    page.fill("#id_participant_scope", "班子成员、馆团负责人")
    shot("meetings-form-topic")
    page.click("#save-meeting")
    page.wait_for_selector("#meeting-info")
    assert "意识形态" in page.inner_text("#meeting-info")
    assert Meeting.objects.get().kind_label == "意识形态专题会议"


def test_member_record_on_phone(bureau, live_server, browser, committee_b1):
    services.meeting_create(
        actor=bureau.users.sec1,
        data={
            "organization": bureau.b1,
            "kind": "party_lecture",
            "held_on": timezone.localdate(),
            "topic": "普通党员讲党课：我的入党故事",
            "lecturer": bureau.zhang,
        },
        attendance=[services.AttendanceRow(p, "present") for p in (bureau.zhang, bureau.li)]
        + [services.AttendanceRow(bureau.qian, "leave", "病假")],
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server, "member", PASSWORD)
    page.wait_for_selector("#due-items")
    page.goto(f"{live_server.url}/meetings/mine/")
    page.wait_for_selector("#my-attendance")
    assert "100%" in page.inner_text("#my-rate")
    assert "我的入党故事" in page.inner_text("#my-lectures")
    # The page itself does not scroll sideways; wide tables scroll inside their card.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path="test-artifacts/meetings-mine-phone.png", full_page=True)
    context.close()
