"""The demo reproduces the seed: the second-round inspection and its feedback, the 述职大会 with
4 secretaries and 8 problems, more than 10 star-rating problems closed in 2022H1, 3 field visits,
and today some problems in progress, overdue and escalated. Counted from the tables directly and
through the statistics registry (whose links list as many records)."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from core.models import AuditEntry
from core.periods import Period
from core.stats import get_statistic
from meetings.models import Meeting
from orgs import demo
from orgs.models import Organization
from supervision.models import (
    EscalationNotice,
    ExtensionRequest,
    Inspection,
    InspectionVisit,
    Problem,
    SecretaryReport,
)

pytestmark = pytest.mark.django_db
H1 = (datetime.date(2022, 1, 1), datetime.date(2022, 6, 30))


@pytest.fixture(autouse=True)
def _only_these_demo_areas(monkeypatch):
    """Build only the areas this module checks: the full demo (every area) takes ~25 s a load;
    reports/tests/test_demo_report.py loads it whole."""
    from orgs import demo as orgs_demo

    monkeypatch.setattr(orgs_demo, "DEMO_AREAS", ("meetings", "supervision"))


@pytest.fixture
def root(settings):
    settings.DEMO_ALLOWED = True
    call_command("load_demo", stdout=StringIO())
    return Organization.objects.get(code=demo.ROOT_CODE)


def test_demo_reproduces_the_seed(root, client):
    # 第二轮党建督导检查 and its feedback; the two June 2022 整改专题会议 answer it.
    round_two = Inspection.objects.get(name="2022年第二轮党建督导检查")
    assert round_two.organization == root and round_two.feedback_on.year == 2022 and round_two.feedback
    assert round_two.start_on.month in (3, 4, 5)
    assert Problem.objects.filter(inspection=round_two).count() == 6
    ct = ContentType.objects.get_for_model(Inspection)
    meetings = Meeting.objects.filter(responds_to_type=ct, responds_to_id=str(round_two.pk)).order_by("held_on")
    assert [(m.held_on.month, m.subtype.code) for m in meetings] == [(6, "rectification"), (6, "rectification")]
    assert [m.participant_scope for m in meetings] == ["班子成员、馆团负责人", "全体机关干部"]

    # 实地督导检查3次 in 2022H1.
    assert InspectionVisit.objects.filter(method="field", visited_on__range=H1).count() == 3

    # 述职大会: 4 branch secretaries (b1–b4), 8 problems into the ledger.
    reports = SecretaryReport.objects.filter(held_on__range=H1)
    assert reports.count() == 4
    assert {r.secretary for r in reports} == {
        p.person for p in root.children.get(code="DEMO-B01").posts.filter(post="secretary")
    } | {
        p.person
        for code in ("DEMO-B02", "DEMO-B03", "DEMO-B04")
        for p in Organization.objects.get(code=code).posts.filter(post="secretary")
    }
    assert Problem.objects.filter(source="secretary_report", found_on__range=H1).count() == 8

    # 完成问题整改10余项: star-rating problems closed in 2022H1.
    star = Problem.objects.filter(source="star_rating", closed_on__range=H1).count()
    assert 10 < star < 20

    # Today: some in progress with progress reports, one awaiting verification, extensions, overdue, one 督办单.
    today = timezone.localdate()
    open_ = Problem.objects.filter(status__in=["pending", "in_progress", "applied"])
    assert open_.filter(status="in_progress", progress__isnull=False).exists()
    assert open_.filter(status="applied").count() >= 1
    assert open_.filter(due_on__lt=today).count() >= 2
    assert ExtensionRequest.objects.filter(status="pending").count() == 1
    assert ExtensionRequest.objects.filter(status="approved").count() == 1
    notice = EscalationNotice.objects.get()
    assert notice.problem.is_open and notice.issued_on == today and notice.number == f"督办〔{today.year}〕1号"
    assert AuditEntry.objects.filter(action="supervision.problem.escalated").count() == 1
    assert not AuditEntry.objects.filter(action__startswith="supervision.").exclude(actor=None).exists()  # 系统

    # The same figures through the statistics registry; each link lists as many records.
    from accounts.models import User

    client.force_login(User.objects.get(username="committee"))
    period = Period.parse("2022H1")
    for code, expected in (
        ("supervision.inspections.field_visits", 3),
        ("supervision.secretary_reports.secretaries", 4),
        ("supervision.secretary_reports.problems", 8),
        ("supervision.problems.closed_star_rating", star),
    ):
        value = get_statistic(code).compute(period, root, None)
        assert value.value == expected, code
        body = client.get(value.url).content.decode()
        assert int(re.search(r'id="list-total">([\d,]+)<', body).group(1)) == expected, code

    # The report section writes the seed's sentences.
    from supervision.stats import rectification_section

    text = "\n".join(p.plain() for p in rectification_section(period, root))
    assert "4个党支部书记围绕自身基层党建工作和全面从严治党工作共排查问题8项" in text
    assert f"完成问题整改{star}项" in text and "实地督导检查3次" in text
    assert "针对市直机关工委第二督导组2022年第二轮党建督导检查反馈情况" in text
    assert "分别召开班子成员、馆团负责人参加和全体机关干部参加的整改专题会议" in text
