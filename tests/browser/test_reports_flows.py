"""驾驶舱与工作报告 in the browser: the committee opens the dashboard, clicks a figure and a chart
bar and lands on the records behind them; generates the half-year report, edits a paragraph in
place (the figure stays a link), exports the Word file and downloads it."""

from __future__ import annotations

import datetime

import pytest
from docx import Document

from conftest import PASSWORD
from meetings import services
from meetings.models import TopicSubtype
from reports.models import ReportDraft
from tests.browser.conftest import ARTIFACTS, login

D = datetime.date

pytestmark = pytest.mark.django_db(transaction=True)


def view(page, name: str) -> None:
    """What is on the screen right now (the full-page shots are too tall to read)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.fixture
def half_year(bureau):
    from orgs.models import Organization

    Organization.all_objects.update(established_on=D(2018, 1, 1))

    def hold(org, kind, day, **extra):
        services.meeting_create(
            actor=bureau.users.committee,
            data={"organization": org, "kind": kind, "held_on": day, "topic": extra.pop("topic", "学习会议"), **extra},
            attendance=[],
        )

    subtypes = {s.code: s for s in TopicSubtype.objects.all()}
    for day in (D(2022, 2, 10), D(2022, 6, 20)):
        hold(bureau.root, "topic_meeting", day, subtype=subtypes["party_building"], topic="党建工作专题会")
    for day in (D(2022, 1, 5), D(2022, 4, 8), D(2022, 6, 28)):
        hold(bureau.root, "topic_meeting", day, subtype=subtypes["integrity"], topic="党风廉政专题会议")
    for month in range(1, 7):
        hold(bureau.b1, "theme_party_day", D(2022, month, 10), topic=f"{month}月主题党日")
    hold(bureau.b1, "party_lecture", D(2022, 5, 16), lecturer=bureau.sec1_person, topic="党课")
    return bureau


def test_dashboard_figure_and_chart_lead_to_the_records(half_year, live_server, page, shot):
    login(page, live_server, "committee", PASSWORD)
    page.wait_for_selector("#due-items, main")
    page.goto(f"{live_server.url}/reports/dashboard/?period=2022H1")
    page.wait_for_selector("#alerts")
    card = page.locator("#fig-meetingstopicparty_building")
    card.wait_for()
    page.wait_for_selector("#chart-reportsmeetingsby_kind canvas")
    assert card.locator(".pb-value").inner_text() == "2"
    assert "组织生活未按期落实" in page.inner_text("#alerts")
    shot("reports-dashboard")
    view(page, "reports-dashboard-top")
    page.locator("#chart-reportsmeetingsoverdue_heatmap").scroll_into_view_if_needed()
    view(page, "reports-dashboard-charts")
    page.evaluate("window.scrollTo(0, 0)")

    card.click()
    page.wait_for_selector("#meeting-table")
    assert page.inner_text("#list-total") == "2"
    assert "党建工作专题会" in page.inner_text("#meeting-table")
    shot("reports-dashboard-figure-to-ledger")

    # A bar of "各类会议召开次数" (ECharts canvas): click it where ECharts draws it.
    page.go_back()
    page.wait_for_selector("#chart-reportsmeetingsby_kind canvas")
    page.locator("#chart-reportsmeetingsby_kind").scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # the bars' growing animation
    point = page.evaluate(
        """() => {
        const el = document.getElementById("chart-reportsmeetingsby_kind");
        const chart = echarts.getInstanceByDom(el);
        const labels = chart.getOption().xAxis[0].data;
        const i = labels.indexOf("主题党日");
        const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [i, 3]);  // inside the bar of 6
        const box = el.getBoundingClientRect();
        return { x: box.left + x, y: box.top + y };
    }"""
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("#meeting-table")
    assert page.inner_text("#list-total") == "6"
    assert "主题党日" in page.inner_text("#meeting-table")
    shot("reports-dashboard-chart-to-ledger")


def test_generate_edit_export_and_download_the_report(half_year, live_server, page, shot):
    login(page, live_server, "committee", PASSWORD)
    page.wait_for_selector("main")
    page.goto(f"{live_server.url}/reports/dashboard/?period=2022H1")
    page.click("#generate-report")
    page.wait_for_selector("#draft-form")
    assert "生成测试局机关党委2022年上半年工作报告" in page.inner_text("#generate")
    shot("reports-generate-form")
    page.click("#generate")
    page.wait_for_selector("#report")
    assert "测试局机关党委2022年上半年党建工作情况报告" in page.inner_text("#report .pb-title")
    assert "已生成《测试局机关党委2022年上半年党建工作情况报告》" in page.inner_text("main")
    draft = ReportDraft.objects.get()
    paragraph = page.locator('[data-block="s:meetings.topic_meetings:0"]')
    assert "上半年共召开党建工作专题会2次、党风廉政专题会议3次。" in paragraph.inner_text()
    shot("reports-draft")
    view(page, "reports-draft-top")

    # Edit the paragraph in place: the words change, the figure stays a link.
    paragraph.hover()
    paragraph.locator("a.pb-edit").click()
    page.wait_for_selector("#block-text")
    assert "{party_building}" in page.input_value("#block-text")
    page.fill("#block-text", "上半年，局党组共召开党建工作专题会")
    page.click('#figure-palette .pb-insert[data-insert="{party_building}"]')
    page.locator("#block-text").press("End")
    page.locator("#block-text").type("次，专题研究党建重点任务。")
    shot("reports-edit-paragraph")
    view(page, "reports-edit-paragraph-view")
    page.click("#save-block")
    saved = page.locator('[data-block="s:meetings.topic_meetings:0"]')
    saved.locator(".pb-saved-badge").wait_for()
    assert saved.locator(".pb-text").inner_text() == "上半年，局党组共召开党建工作专题会2次，专题研究党建重点任务。"
    assert page.inner_text(".pb-version").strip() == "2"
    draft.refresh_from_db()
    assert draft.version == 2
    shot("reports-paragraph-saved")

    # Export Word: a working indicator, then the file downloads.
    with page.expect_download() as info:
        page.click("#export-docx")
    download = info.value
    page.wait_for_selector("#download-status.alert-success")
    assert "Word 文件已生成" in page.inner_text("#download-status")
    path = ARTIFACTS / "reports-download.docx"
    ARTIFACTS.mkdir(exist_ok=True)
    download.save_as(str(path))
    assert download.suggested_filename == "测试局机关党委2022年上半年党建工作情况报告.docx"
    doc = Document(str(path))
    assert doc.paragraphs[0].text == "测试局机关党委2022年上半年党建工作情况报告"
    assert "上半年，局党组共召开党建工作专题会2次，专题研究党建重点任务。" in [p.text for p in doc.paragraphs]
    shot("reports-exported")
    page.evaluate("window.scrollTo(0, 0)")
    view(page, "reports-exported-top")

    # The figure in the edited paragraph still leads to its records.
    saved.locator("a.pb-fig").click()
    page.wait_for_selector("#meeting-table")
    assert page.inner_text("#list-total") == "2"
