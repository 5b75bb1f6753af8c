"""The rectification ledger in the browser: the committee records an inspection's findings, the
branch reports progress with evidence and applies for closure, the committee sends it back once,
the branch completes it, the committee closes it (已销号). Then the statistics page and a 督办单."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import PASSWORD
from core.models import TrackedTransition
from supervision import services
from supervision.models import EscalationNotice, Problem
from supervision.reminders import ESCALATION, send_problem_reminders
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def inspection(bureau):
    return services.inspection_create(
        actor=bureau.users.committee,
        data={
            "name": "2024年基层党支部实地督导检查",
            "organization": bureau.root,
            "methods": ["field", "documents"],
            "start_on": timezone.localdate() - datetime.timedelta(days=20),
            "feedback": "一、“三会一课”记录不规范；二、主题党日形式单一。",
            "feedback_on": timezone.localdate() - datetime.timedelta(days=5),
        },
        targets=[bureau.b1, bureau.b2],
        inspectors=[bureau.li],
    )


def switch_user(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server, username, PASSWORD)
    page.wait_for_selector("#due-items")


def test_from_a_finding_to_closure_with_one_return(bureau, inspection, live_server, page, shot, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    page.on("dialog", lambda dialog: dialog.accept())
    evidence = Path(tmp_path) / "支部会议记录整改情况.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence")

    # 1. The committee records the inspection's findings: they go straight into the ledger.
    switch_user(page, live_server, "committee")
    page.goto(f"{live_server.url}/supervision/inspections/{inspection.pk}/")
    page.select_option("#findings-form #id_organization", label="机关第一党支部")
    page.fill("#findings-form #id_findings", "1. “三会一课”会议记录不规范\n2. 主题党日形式单一")
    page.fill("#findings-form #id_measures", "统一会议记录本，组织委员每月审核")
    page.fill("#findings-form #id_duration", "10")
    page.select_option("#findings-form #id_deadline_mode", "working")
    page.click("#save-findings")
    page.wait_for_selector("#problems")
    assert "已将 2 条反馈问题登记到问题整改台账" in page.inner_text("main")
    assert "“三会一课”会议记录不规范" in page.inner_text("#problems")
    shot("supervision-inspection-findings")
    problem = Problem.objects.get(description="“三会一课”会议记录不规范")
    assert problem.status == "pending" and problem.organization == bureau.b1

    # 2. The branch finds it on its home page and in its ledger, reports progress with evidence, applies.
    switch_user(page, live_server, "sec1")
    assert "“三会一课”会议记录不规范" in page.inner_text("#due-items")
    page.goto(f"{live_server.url}/supervision/problems/")
    assert page.inner_text("#list-total") == "2"
    page.click("text=“三会一课”会议记录不规范")
    page.wait_for_selector("#problem-status")
    assert "待整改" in page.inner_text("#status-label")
    page.fill("#progress-form #id_content", "已统一会议记录本，补记3月以来的会议记录")
    page.set_input_files("#progress-form input[type=file]", str(evidence))
    page.click("#save-progress")
    page.wait_for_selector("#apply-form")
    assert "整改中" in page.inner_text("#status-label")
    assert "支部会议记录整改情况.pdf" in page.inner_text("#progress")
    page.fill("#apply-note", "已完成整改，佐证材料见整改进展")
    page.click("#action-apply")
    page.wait_for_selector("#next-step")
    assert "申请销号" in page.inner_text("#status-label")
    assert page.locator("#action-close").count() == 0  # the branch cannot close it itself
    shot("supervision-problem-applied")

    # 3. The committee checks it and sends it back once (退回).
    switch_user(page, live_server, "committee")
    page.goto(f"{live_server.url}/supervision/problems/{problem.pk}/")
    page.fill("#return-note", "佐证材料不足：请补充支委会审核记录")
    page.click("#action-return")
    page.wait_for_selector("#progress-form")
    assert "整改中" in page.inner_text("#status-label")
    assert "佐证材料不足" in page.inner_text("#transitions")
    shot("supervision-problem-returned")

    # 4. The branch completes it and applies again.
    switch_user(page, live_server, "sec1")
    page.goto(f"{live_server.url}/supervision/problems/{problem.pk}/")
    page.fill("#progress-form #id_content", "已补充支委会审核记录")
    page.click("#save-progress")
    page.wait_for_selector("#apply-form")
    page.fill("#apply-note", "已补充佐证材料")
    page.click("#action-apply")
    page.wait_for_selector("#next-step")

    # 5. The committee closes it (销号) with its verification.
    switch_user(page, live_server, "committee")
    page.goto(f"{live_server.url}/supervision/problems/{problem.pk}/")
    page.fill("#close-note", "经现场核实，会议记录已规范，同意销号")
    page.click("#action-close")
    page.wait_for_selector("#verification")
    assert "已销号" in page.inner_text("#status-label")
    assert page.locator("#progress-form").count() == 0
    history = page.inner_text("#audit-history")
    assert "销号" in history and "退回整改" in history
    shot("supervision-problem-closed")
    problem.refresh_from_db()
    assert problem.status == "closed" and problem.closed_on == timezone.localdate()
    steps = list(TrackedTransition.objects.filter(item=problem.tracked_item).values_list("to_status", flat=True))
    assert steps == ["pending", "in_progress", "applied", "in_progress", "applied", "closed"]

    # The evidence downloads through the permission-checked link.
    with page.expect_download() as download:
        page.click("#progress a:has-text('支部会议记录整改情况.pdf')")
    assert download.value.suggested_filename == "支部会议记录整改情况.pdf"


def test_statistics_and_escalation_notice(bureau, inspection, live_server, page, shot):
    today = timezone.localdate()
    late = services.problem_create(
        actor=bureau.users.committee,
        data={
            "source": "inspection",
            "inspection": inspection,
            "organization": bureau.b2,
            "description": "主题党日形式单一，党员参与积极性不高",
            "responsible_person": bureau.sec2_person,
            "found_on": today - datetime.timedelta(days=30),
        },
        deadline=today - datetime.timedelta(days=8),
    )
    services.problem_create(
        actor=bureau.users.committee,
        data={
            "source": "self_inspection",
            "organization": bureau.b1,
            "description": "党费台账登记不及时",
            "found_on": today,
        },
        duration=3,
    )
    send_problem_reminders(today, stages=(ESCALATION,))
    notice = EscalationNotice.objects.get(problem=late)

    switch_user(page, live_server, "committee")
    page.goto(f"{live_server.url}/supervision/statistics/")
    page.wait_for_selector("#by-source")
    assert "机关第二党支部" in page.inner_text("#by-organization")
    page.wait_for_timeout(500)  # the chart draws
    shot("supervision-statistics")
    page.click("#by-organization a[data-stat=overdue]:text('1')")
    page.wait_for_selector("#problem-table")
    assert page.inner_text("#list-total") == "1" and "主题党日形式单一" in page.inner_text("#problem-table")
    shot("supervision-ledger-overdue")

    switch_user(page, live_server, "sec2")
    assert "督办" in page.inner_text("#notification-bell") or page.locator("#unread-count").count() == 1
    page.goto(f"{live_server.url}/supervision/escalations/{notice.pk}/")
    page.wait_for_selector("#notice")
    assert notice.number in page.inner_text("#notice") and "机关第二党支部" in page.inner_text("#notice")
    shot("supervision-escalation-notice")
    page.emulate_media(media="print")
    shot("supervision-escalation-notice-print")
