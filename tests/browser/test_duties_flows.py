"""Responsibilities and the duty catalogue in the browser: the committee browses the catalogue to a
department and a flowchart (drawn as SVG, printable), then documents a responsibility item that
lacks evidence and sees it turn to 已落实."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from duties import demo as duties_demo
from duties import services
from duties.models import ResponsibilityEvidence
from duties.tests.factories import make_world
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_catalogue_flowchart_and_evidence(bureau, live_server, page, shot):
    world = make_world(bureau)
    # A chart of the demo's approval pattern (10 steps, two decisions, a loop back).
    chart = services.flowchart_create(actor=None, data={"department": bureau.office, "name": "行政许可办理流程"})
    services.flowchart_set_steps(
        actor=None, chart=chart, rows=duties_demo.chart_steps("approval", "申请人提交许可申请", "行政许可岗")
    )
    for content in ("负责局机关公文的收发、登记和催办", "组织会务工作的检查和考核", "做好政务信息报送和政务公开"):
        services.task_create(actor=None, data={"department": bureau.office, "content": content})

    login(page, live_server, "committee", PASSWORD)
    page.wait_for_selector("#user-menu")

    # The bureau-wide catalogue: one row per department, each count a link.
    page.goto(f"{live_server.url}/duties/catalogue/")
    page.wait_for_selector("#catalogue-table")
    assert page.inner_text("#list-total") == "2"
    office_row = page.locator(f"#catalogue-table tr[data-department='{bureau.office.pk}']")
    assert office_row.locator("td").nth(2).inner_text() == "4"  # tasks
    assert page.locator("tfoot [data-total=flowcharts]").inner_text() == "3"
    shot("duties-catalogue")

    office_row.locator("a").first.click()
    page.wait_for_selector("#section-flowcharts")
    assert page.inner_text("#department-counts [data-count=tasks]") == "4"
    assert "机要岗" in page.inner_text("#section-risks")
    shot("duties-catalogue-department")

    page.locator("#section-flowcharts a", has_text="行政许可办理流程").click()
    page.wait_for_selector("#flowchart svg")
    svg = page.locator("#flowchart svg")
    assert svg.locator("[data-step]").count() == 10
    assert svg.locator("polygon[data-kind=decision]").count() == 2
    assert svg.locator("path[data-edge='3-4']").count() == 1  # 材料是否齐全 —否→ 补正
    box = svg.bounding_box()
    assert box["width"] > 250 and box["height"] > 600
    shot("duties-flowchart")
    # Printed: navigation and the step table disappear, the chart stays.
    page.emulate_media(media="print")
    assert not page.locator(".pb-sidebar").is_visible()
    assert not page.locator("#step-table-card").is_visible()
    assert page.locator("#flowchart svg").is_visible()
    shot("duties-flowchart-print")
    page.emulate_media(media="screen")

    # The responsibility list for 2022H1: the root's quarterly item lacks its second quarter.
    page.goto(f"{live_server.url}/duties/responsibility/?period=2022H1")
    page.wait_for_selector("#responsibility-table")
    row = page.locator(f"#responsibility-table tr[data-item='{world.root_item.pk}']")
    assert row.get_attribute("data-state") == "missing"
    assert "缺少佐证" in row.locator("[data-status]").inner_text()
    assert "二季度 ✗ 缺佐证" in row.inner_text()
    shot("duties-responsibility-missing")

    row.locator("a.pb-add-evidence").click()
    page.wait_for_selector("#record-form")
    assert page.input_value("#id_period_code") == "2022Q2"
    assert page.locator("#id_item option:checked").inner_text().endswith("每季度召开党建工作专题会")
    page.fill("#id_done_on", "2022-04-22")
    page.fill("#id_note", "4月22日召开党建工作专题会，研究推进“先进模范机关”创建")
    shot("duties-evidence-form")
    page.click("#save-record")
    page.wait_for_selector("#responsibility-table")
    assert "已登记落实佐证" in page.inner_text(".alert-success")
    row = page.locator(f"#responsibility-table tr[data-item='{world.root_item.pk}']")
    assert row.get_attribute("data-state") == "done"
    assert "已落实" in row.locator("[data-status]").inner_text()
    ev = ResponsibilityEvidence.objects.get(item=world.root_item, period_code="2022Q2")
    assert ev.recorded_by.username == "committee" and str(ev.done_on) == "2022-04-22"
    shot("duties-responsibility-done")

    # The other lists: liaison overview (branch 2 has no activity), the integrity risks.
    page.goto(f"{live_server.url}/duties/liaison/?period=2022H2")
    page.wait_for_selector("#branch-table")
    assert "0 次" in page.inner_text(f"#branch-table tr[data-branch='{bureau.b2.pk}']")
    assert page.inner_text(f"#branch-table tr[data-branch='{bureau.b1.pk}'] td:nth-child(3)").strip() == "1"
    shot("duties-liaison")
    page.goto(f"{live_server.url}/duties/risks/")
    page.wait_for_selector("#record-table")
    assert "选择性执法" in page.inner_text("#record-table") and page.inner_text("#list-total") == "1"
    shot("duties-risks")

    # The evidence record takes the minutes as an attachment.
    page.goto(f"{live_server.url}/duties/responsibility/?period=2022H1")
    row = page.locator(f"#responsibility-table tr[data-item='{world.root_item.pk}']")
    row.locator("a.pb-slot-done", has_text="二季度").click()
    page.wait_for_selector(".pb-attachments")
    assert "4月22日召开党建工作专题会" in page.inner_text("#record-info")
    assert "登记落实佐证" in page.inner_text("#audit-history")
