"""`generate_supervision_data` fills the synthetic tree with a consistent ledger, and the 督办
command and the pages work on it."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from core.models import TrackedItem
from supervision.models import OPEN_STATUSES, EscalationNotice, Inspection, Problem, SecretaryReport
from supervision.reminders import send_problem_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(settings):
    settings.DEMO_ALLOWED = True
    call_command("generate_scale_data", "--orgs", "40", "--people", "500", "--seed", "3", stdout=StringIO())


def test_generated_ledger_is_consistent(tree, client):
    out = StringIO()
    call_command("generate_supervision_data", "--problems", "600", "--years", "2", "--batch-size", "250", stdout=out)
    assert "完成：问题 600 个" in out.getvalue()
    problems = list(Problem.objects.select_related("tracked_item", "organization", "inspection", "secretary_report"))
    assert len(problems) == 600 and Inspection.objects.exists() and SecretaryReport.objects.exists()
    today = timezone.localdate()
    for p in problems:
        item = p.tracked_item
        assert item.object_id == str(p.pk) and item.kind == "supervision.problem"
        assert (item.status, item.due_on, item.organization_id) == (p.status, p.due_on, p.organization_id)
        assert p.org_path == p.organization.path and p.found_on <= today and p.due_on >= p.found_on
        assert (p.closed_on is not None) == (p.status == "closed") == (item.closed_at is not None)
        if p.inspection_id:
            assert p.inspection.targets.filter(pk=p.organization_id).exists()
        if p.secretary_report_id:
            assert p.secretary_report.organization_id == p.organization_id and p.found_on == p.secretary_report.held_on
    assert Problem.objects.filter(status__in=OPEN_STATUSES).exists()
    assert Problem.objects.filter(closed_on__gt=F("due_on")).exists()  # some closed late
    # New tracked items after the reserved ids do not collide.
    from orgs.models import Organization
    from supervision import services

    branch = Organization.objects.filter(org_type="branch").first()
    p = services.problem_create(
        actor=None, data={"source": "self_inspection", "organization": branch, "description": "新问题"}
    )
    assert p.tracked_item_id == TrackedItem.objects.order_by("-pk").first().pk
    # The 督办 command and the ledger on it.
    counts = send_problem_reminders(today)
    overdue = Problem.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today).count()
    assert counts["overdue"] >= overdue and EscalationNotice.objects.count() == counts["escalation"] > 0
    from accounts.models import User

    client.force_login(User.objects.get(username="scale_admin"))
    body = client.get("/supervision/problems/").content.decode()
    assert int(re.search(r'id="list-total">([\d,]+)<', body).group(1).replace(",", "")) == 601
    assert client.get("/supervision/statistics/").status_code == 200


def test_needs_the_tree_and_refuses_twice(tree, settings):
    call_command("generate_supervision_data", "--problems", "50", "--years", "1", stdout=StringIO())
    with pytest.raises(CommandError, match="已有问题整改数据"):
        call_command("generate_supervision_data", "--problems", "50", stdout=StringIO())
    settings.DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="DJANGO_DEMO_ALLOWED"):
        call_command("generate_supervision_data", "--problems", "50", stdout=StringIO())
