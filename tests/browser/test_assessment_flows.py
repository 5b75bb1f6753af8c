"""Star rating and periodic assessment in the browser.

A rating round end to end: the committee opens it; the branch secretary goes from the home page's
due item to the self-assessment next to the pre-filled inputs and submits it; the committee starts
scoring, scores both branches (one capped as 软弱涣散), sees the stars computed and publishes.
Then a quarter: the member writes the self-summary, the department head scores it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from assessment import periodic_services as ps
from assessment.models import AssessmentRecord, BranchRating, RoundDepartment, RoundStatus, StarRatingRound
from conftest import PASSWORD
from meetings import services as meeting_services
from orgs.models import Organization
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def as_user(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before irreversible steps
    login(page, live_server, username, PASSWORD)
    page.wait_for_selector("#due-items")
    return context, page


def test_rating_round_from_self_assessment_to_stars(bureau, live_server, browser, shot):
    year = timezone.localdate().year - 1
    Organization.all_objects.update(established_on=datetime.date(year - 3, 1, 1))
    bureau.b1.refresh_from_db()
    meeting_services.meeting_create(
        actor=None,
        data={
            "organization": bureau.b1,
            "kind": "theme_party_day",
            "held_on": datetime.date(year, 3, 10),
            "topic": "重温入党誓词",
        },
        attendance=[
            meeting_services.AttendanceRow(p, "present") for p in (bureau.zhang, bureau.li, bureau.sec1_person)
        ],
    )

    # The committee opens the year's rating.
    context, page = as_user(browser, live_server, "committee")
    page.goto(f"{live_server.url}/assessment/stars/")
    page.click("#open-round")
    page.wait_for_selector("#round-form")
    assert "班子队伍 20%" in page.inner_text("#star-scheme")
    page.select_option("#id_year", str(year))
    page.click("#open-round-submit")
    page.wait_for_selector("#rating-table")
    rnd = StarRatingRound.objects.get(year=year)
    assert rnd.status == RoundStatus.SELF and rnd.ratings.count() == 2
    context.close()

    # The branch secretary: the home page says the self-assessment is due.
    context, page = as_user(browser, live_server, "sec1")
    assert f"提交{year}年度评星定级自评" in page.inner_text("#due-items")
    page.locator("#due-items a", has_text="去自评").first.click()
    page.wait_for_selector("#self-form")
    inputs = page.inner_text("#prefilled-inputs")
    assert "已落实组织生活" in inputs and "组织生活出勤率" in inputs and "100%" in inputs
    # The attendance figure links to the meetings behind it.
    href = page.get_attribute("#prefilled-inputs tr[data-input='meetings.attendance_rate'] a", "href")
    assert href.startswith("/meetings/ledger/?") and f"period={year}" in href
    for i, value in enumerate(("92", "90", "88", "86", "90")):
        page.fill(f"#id_dim_{i}", value)
    page.fill("#id_self_summary", "严格落实“三会一课”，主题党日按月开展；党员先锋岗创建有成效。")
    shot("assessment-self-assessment", page)
    page.click("#submit-self")
    page.wait_for_selector("#rating-status")
    assert "已提交自评" in page.inner_text("#rating-status")
    assert page.inner_text("#self-total").strip() == "89.2"
    context.close()

    # The committee scores both branches; branch 2 is flagged 软弱涣散 and capped.
    context, page = as_user(browser, live_server, "committee")
    page.goto(f"{live_server.url}/assessment/stars/{rnd.pk}/")
    page.click("#start-scoring")
    page.wait_for_selector("#rating-table a:has-text('评分')")
    page.locator("#rating-table tr", has_text="机关第一党支部").locator("a", has_text="评分").click()
    page.wait_for_selector("#score-form")
    assert "严格落实“三会一课”" in page.inner_text("main")  # the self-assessment beside the form
    for i, value in enumerate(("90", "88", "86", "84", "87")):
        page.fill(f"#id_dim_{i}", value)
    page.fill("#id_committee_comment", "组织生活规范，示范作用明显。")
    page.click("#save-score-next")
    page.wait_for_selector("#score-form")
    assert "机关第二党支部" in page.inner_text("h1")
    for i in range(5):
        page.fill(f"#id_dim_{i}", "83")
    page.check("#id_weak_lax")
    page.click("#save-score")
    page.wait_for_selector("#rating-table")
    table = page.inner_text("#rating-table")
    assert "四星" in page.inner_text("#rating-table tr:has-text('机关第一党支部')")
    row2 = page.inner_text("#rating-table tr:has-text('机关第二党支部')")
    assert "软弱涣散党组织：最高评定二星" in row2 and "二星" in row2
    assert "已评分" in table
    b1 = BranchRating.objects.get(round=rnd, organization=bureau.b1)
    b2 = BranchRating.objects.get(round=rnd, organization=bureau.b2)
    assert (str(b1.committee_total), b1.final_stars) == ("87.00", 4)
    assert (b2.computed_stars, b2.final_stars) == (4, 2)
    shot("assessment-round-scored", page)

    page.click("#publish-round")
    page.wait_for_selector("#return-form")
    assert "公示" in page.inner_text("#round-dates")
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.NOTICE
    page.goto(f"{live_server.url}/assessment/stars/ratings/{b2.pk}/")
    page.wait_for_selector("#final-stars")
    assert "二星" in page.inner_text("#final-stars")
    assert "软弱涣散" in page.inner_text("#cap-reasons")
    shot("assessment-rating-detail", page)
    context.close()


def test_quarter_summary_and_head_scoring(bureau, live_server, browser, shot):
    rnd = ps.assessment_round_open(
        actor=None, organization=bureau.root, unit=bureau.organ, year=timezone.localdate().year, quarter=1
    )
    office = RoundDepartment.objects.get(round=rnd, department=bureau.office)
    ps.assessment_heads_set(actor=None, round=rnd, heads={office.pk: bureau.sec1_person})

    context, page = as_user(browser, live_server, "member")
    assert "平时考核个人小结" in page.inner_text("#due-items")
    page.locator("#due-items a", has_text="填写小结").click()
    page.wait_for_selector("#summary-form")
    page.fill("#id_summary", "本季度完成支部党建台账整理、主题党日宣传和机关文稿起草工作。")
    page.click("#submit-summary")
    page.wait_for_selector("#my-records")
    assert "待评分" in page.inner_text("#my-records")
    context.close()

    context, page = as_user(browser, live_server, "sec1")
    assert "为本科室1人评定" in page.inner_text("#due-items")
    page.goto(f"{live_server.url}/assessment/periodic/mine/")
    page.locator("#scoring-queue a", has_text="评分").click()
    page.wait_for_selector("#record-score-form")
    assert "主题党日宣传" in page.inner_text("main")
    for field, value in (("de", "93"), ("neng", "90"), ("qin", "92"), ("ji", "91"), ("lian", "95")):
        page.fill(f"#id_{field}", value)
    shot("assessment-record-score", page)
    page.click("#save-record-score")
    page.wait_for_selector("#scoring-queue")
    record = AssessmentRecord.objects.get(round=rnd, person=bureau.zhang)
    assert str(record.total) == "92.20" and record.proposed_grade == "excellent"
    assert "92.2" in page.inner_text("#scoring-queue")
    context.close()
