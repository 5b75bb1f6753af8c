"""Pages: the ledger (filters, 共 N 条, scope, query counts), a problem's page and its actions,
findings straight into the ledger, evidence downloads, the 督办单 print page and the statistics
page whose numbers link to exactly the records they count."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import Attachment
from supervision import services
from supervision.models import EscalationNotice, Problem, ProblemSource
from supervision.reminders import ESCALATION, send_problem_reminders
from supervision.tests.conftest import walk_to_closed

pytestmark = pytest.mark.django_db
D = datetime.date
LEDGER = reverse("supervision:problem_list")


def total(response) -> int:
    assert response.status_code == 200, response.status_code
    match = re.search(r'id="list-total">([\d,]+)<', response.content.decode())
    assert match, "no 共 N 条 on the page"
    return int(match.group(1).replace(",", ""))


@pytest.fixture
def ledger(bureau, make_problem, inspection):
    today = timezone.localdate()
    ago = lambda n: today - datetime.timedelta(days=n)  # noqa: E731
    rows = {
        "b1_overdue": make_problem(bureau.b1, found_on=ago(60), deadline=ago(10), description="支部记录不规范"),
        "b1_soon": make_problem(
            bureau.b1, found_on=ago(20), deadline=today + datetime.timedelta(days=1), description="党费台账"
        ),
        "b2_ok": make_problem(
            bureau.b2, found_on=ago(5), deadline=today + datetime.timedelta(days=60), description="发展党员档案"
        ),
        "b2_insp": make_problem(
            bureau.b2,
            source=ProblemSource.INSPECTION,
            inspection=inspection,
            found_on=ago(30),
            deadline=ago(1),
            description="督导反馈",
        ),
        "cell": make_problem(
            bureau.cell, found_on=ago(40), deadline=ago(2), responsible_person=bureau.qian, description="党小组学习"
        ),
    }
    rows["b1_closed"] = walk_to_closed(
        make_problem(bureau.b1, found_on=ago(50), deadline=ago(20), description="已整改问题"), bureau, closed_on=ago(25)
    )
    return rows


def test_ledger_filters_and_total(bureau, ledger, client_for):
    c = client_for(bureau.users.committee)
    assert total(c.get(LEDGER)) == 6
    assert total(c.get(LEDGER, {"org": bureau.b1.pk})) == 4  # b1 and its cell
    assert total(c.get(LEDGER, {"org": bureau.b1.pk, "own": "1"})) == 3
    assert total(c.get(LEDGER, {"urgency": "overdue"})) == 3
    assert total(c.get(LEDGER, {"urgency": "due"})) == 1
    assert total(c.get(LEDGER, {"status": "open"})) == 5
    assert total(c.get(LEDGER, {"status": "closed"})) == 1
    assert total(c.get(LEDGER, {"source": "inspection"})) == 1
    assert total(c.get(LEDGER, {"q": "党费"})) == 1
    assert total(c.get(LEDGER, {"q": "qq"})) == 1  # 钱七 by pinyin initials (responsible person)
    response = c.get(LEDGER, {"source": "nonsense", "period": "20x"})
    assert total(response) == 6 and "未知的问题来源" in response.content.decode()
    body = c.get(LEDGER, {"urgency": "overdue"}).content.decode()
    assert 'class="table-danger"' in body and "逾期 10 天" in body


def test_branch_sees_and_updates_only_its_own_problems(bureau, ledger, client_for):
    c = client_for(bureau.users.sec2)
    assert total(c.get(LEDGER)) == 2
    own, other = ledger["b2_ok"], ledger["b1_overdue"]
    assert c.get(reverse("supervision:problem_detail", args=[own.pk])).status_code == 200
    assert c.get(reverse("supervision:problem_detail", args=[other.pk])).status_code == 404
    assert c.get(LEDGER, {"org": bureau.b1.pk}).status_code == 404
    response = c.post(
        reverse("supervision:problem_progress", args=[other.pk]), {"content": "x", "reported_on": "2024-01-01"}
    )
    assert response.status_code == 404 and other.progress.count() == 0
    # Its own: reports progress and applies, but cannot close.
    response = c.post(
        reverse("supervision:problem_progress", args=[own.pk]),
        {"content": "已整改", "reported_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    c.post(reverse("supervision:problem_action", args=[own.pk, "apply"]), {"note": "完成"})
    own.refresh_from_db()
    assert own.status == "applied"
    response = c.post(reverse("supervision:problem_action", args=[own.pk, "close"]), {"note": "自己销号"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.status == "applied"
    body = c.get(reverse("supervision:problem_detail", args=[own.pk])).content.decode()
    assert 'id="action-close"' not in body and "等待机关党委核实" in body


def test_ledger_queries_do_not_grow(bureau, ledger, make_problem, client_for, django_assert_max_num_queries):
    c = client_for(bureau.users.committee)
    filtered = {"urgency": "overdue", "org": bureau.b1.pk, "q": "不规范"}
    with django_assert_max_num_queries(16) as few:
        c.get(LEDGER)
    with django_assert_max_num_queries(18) as few_filtered:
        c.get(LEDGER, filtered)
    for i in range(25):
        make_problem(bureau.b2 if i % 2 else bureau.b1, found_on=D(2024, 1, 1), description=f"记录不规范{i}")
    send_problem_reminders(stages=(ESCALATION,))  # notices on many rows: still joined, not one query each
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = c.get(LEDGER)
    assert total(response) == 31
    with django_assert_max_num_queries(len(few_filtered.captured_queries)):
        assert total(c.get(LEDGER, filtered)) == 14


def test_detail_queries_do_not_grow_with_progress(bureau, make_problem, client_for, django_assert_max_num_queries):
    p = make_problem(bureau.b1, found_on=D(2024, 1, 1))
    services.problem_report_progress(actor=bureau.users.sec1, problem=p, content="一", reported_on=D(2024, 1, 2))
    c = client_for(bureau.users.committee)
    url = reverse("supervision:problem_detail", args=[p.pk])
    with django_assert_max_num_queries(25) as first:
        c.get(url)
    for i in range(6):
        services.problem_report_progress(
            actor=bureau.users.sec1,
            problem=p,
            content=f"进展{i}",
            reported_on=D(2024, 1, 3),
            files=[SimpleUploadedFile(f"佐证{i}.pdf", b"%PDF-1.4 x")],
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert c.get(url).status_code == 200


def test_problem_page_actions_by_role(bureau, make_problem, client_for):
    p = make_problem(bureau.b1, found_on=D(2024, 1, 1))
    url = reverse("supervision:problem_detail", args=[p.pk])
    body = client_for(bureau.users.sec1).get(url).content.decode()
    assert 'id="action-start"' in body and 'id="progress-form"' in body and 'id="request-extension"' in body
    body = client_for(bureau.users.leader).get(url).content.decode()
    assert 'id="action-start"' not in body and 'id="progress-form"' not in body
    walk_to_closed(p, bureau)
    body = client_for(bureau.users.committee).get(url).content.decode()
    assert "已销号" in body and 'id="progress-form"' not in body and 'id="edit-problem"' not in body
    assert "验收合格" in body  # verification, transitions and history are on the page
    assert body.count("申请销号") >= 2 and 'id="audit-history"' in body


def test_close_without_verification_shows_the_error_and_changes_nothing(bureau, make_problem, client_for):
    p = make_problem(bureau.b1, found_on=D(2024, 1, 1))
    services.problem_report_progress(actor=bureau.users.sec1, problem=p, content="进展", reported_on=D(2024, 1, 2))
    p.refresh_from_db()
    services.problem_apply_closure(actor=bureau.users.sec1, problem=p, note="完成")
    response = client_for(bureau.users.committee).post(
        reverse("supervision:problem_action", args=[p.pk, "close"]), {"note": ""}
    )
    assert response.status_code == 200 and "销号须填写验收意见" in response.content.decode()
    p.refresh_from_db()
    assert p.status == "applied"


def test_progress_with_evidence_and_permission_checked_download(bureau, make_problem, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = make_problem(bureau.b1, found_on=D(2024, 1, 1))
    c = client_for(bureau.users.sec1)
    response = c.post(
        reverse("supervision:problem_progress", args=[p.pk]),
        {
            "content": "已修订制度",
            "reported_on": "2024-01-05",
            "files": [SimpleUploadedFile("制度.pdf", b"%PDF-1.4 a")],
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "制度.pdf" and attachment.subject.problem == p
    download = reverse("core:attachment_download", args=[attachment.token])
    assert c.get(download).status_code == 200
    assert client_for(bureau.users.committee).get(download).status_code == 200
    assert client_for(bureau.users.sec2).get(download).status_code == 404
    assert client_for(bureau.users.member).get(download).status_code == 404
    # A file type that is not allowed: nothing saved, the form says why.
    c = client_for(bureau.users.sec1)
    response = c.post(
        reverse("supervision:problem_progress", args=[p.pk]),
        {"content": "再次", "reported_on": "2024-01-06", "files": [SimpleUploadedFile("x.exe", b"MZ")]},
    )
    assert response.status_code == 200 and "不支持的文件类型" in response.content.decode()
    assert p.progress.count() == 1


def test_findings_from_the_inspection_page(bureau, inspection, client_for):
    c = client_for(bureau.users.committee)
    response = c.post(
        reverse("supervision:inspection_findings", args=[inspection.pk]),
        {
            "organization": bureau.b1.pk,
            "findings": "1. 三会一课记录不规范\n2. 主题党日形式单一",
            "found_on": "2022-05-27",
            "duration": "20",
            "deadline_mode": "working",
        },
    )
    assert response.status_code == 302
    problems = Problem.objects.filter(inspection=inspection).order_by("pk")
    assert [p.description for p in problems] == ["三会一课记录不规范", "主题党日形式单一"]
    assert all(p.due_on == D(2022, 6, 27) for p in problems)  # 20 working days (端午 6-3 is a holiday)
    # A target that is not inspected is refused on the form.
    response = c.post(
        reverse("supervision:inspection_findings", args=[inspection.pk]),
        {"organization": bureau.root.pk, "findings": "x", "found_on": "2022-05-27", "deadline_mode": "calendar"},
    )
    assert response.status_code == 200 and Problem.objects.count() == 2
    body = c.get(reverse("supervision:inspection_detail", args=[inspection.pk])).content.decode()
    assert "三会一课记录不规范" in body and "市直机关工委第二督导组" in body


def test_report_problems_go_straight_into_the_ledger(bureau, client_for):
    c = client_for(bureau.users.sec1)
    response = c.post(
        reverse("supervision:report_create"),
        {
            "organization": bureau.b1.pk,
            "secretary": bureau.sec1_person.pk,
            "year": "2021",
            "held_on": "2022-01-25",
            "rating_excellent": "20",
            "rating_good": "5",
            "rating_fair": "1",
            "rating_poor": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = bureau.b1.secretary_reports.get()
    response = c.post(
        reverse("supervision:report_problems", args=[report.pk]),
        {
            "organization": bureau.b1.pk,
            "findings": "理论学习不深入\n党小组作用发挥不够",
            "found_on": "2022-01-25",
            "deadline": "2022-06-30",
            "deadline_mode": "calendar",
        },
    )
    assert response.status_code == 302
    assert total(c.get(LEDGER, {"report": report.pk})) == 2
    assert total(c.get(LEDGER, {"source": "secretary_report", "period": "2022H1"})) == 2


def test_escalation_print_page(bureau, ledger, client_for):
    send_problem_reminders(stages=(ESCALATION,))
    notice = EscalationNotice.objects.get(problem=ledger["b1_overdue"])
    response = client_for(bureau.users.sec1).get(reverse("supervision:escalation_detail", args=[notice.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and notice.number in body and "@media print" in body and "window.print()" in body
    assert "问题整改督办单" in body and "测试局机关党委" in body
    assert (
        client_for(bureau.users.sec2).get(reverse("supervision:escalation_detail", args=[notice.pk])).status_code == 404
    )
    listing = client_for(bureau.users.committee).get(reverse("supervision:escalation_list"))
    assert total(listing) == EscalationNotice.objects.count() == 1  # only b1_overdue is > 3 days late


def test_statistics_page_numbers_link_to_exactly_their_records(bureau, ledger, client_for):
    c = client_for(bureau.users.committee)
    response = c.get(
        reverse("supervision:problem_stats"), {"org": bureau.root.pk, "period": str(timezone.localdate().year)}
    )
    assert response.status_code == 200
    body = response.content.decode()
    links = re.findall(r'<a href="([^"]+)" data-stat="(\w+)"[^>]*>([\d,]+)</a>', body)
    assert len(links) >= 5 * 8  # 7 source rows + total + organization rows, 5 linked figures each
    checked = 0
    for url, _key, value in links:
        url = url.replace("&amp;", "&")
        assert total(c.get(url)) == int(value.replace(",", "")), url
        checked += 1
    assert checked == len(links)


def test_home_page_shows_open_problems(bureau, ledger, client_for):
    body = client_for(bureau.users.sec1).get(reverse("core:home")).content.decode()
    assert "问题整改" in body and "支部记录不规范" in body
    assert f"/supervision/problems/{ledger['b1_overdue'].pk}/" in body
