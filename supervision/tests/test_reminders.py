"""Reminders and 督办 for problems: once per stage, once per problem, set-based."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEntry, Notification, ReminderLog
from orgs import services as org_services
from supervision.models import EscalationNotice
from supervision.reminders import DUE_SOON, ESCALATION, OVERDUE, send_problem_reminders
from supervision.tests.conftest import walk_to_closed

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def problems(bureau, make_problem):
    """b1: overdue by 10 days; b2: overdue by 2 days; b1: due in 2 days; b2: due in 30 days; b1: closed late."""
    today = D(2024, 6, 20)
    return {
        "today": today,
        "late": make_problem(bureau.b1, found_on=D(2024, 5, 1), deadline=D(2024, 6, 10), description="逾期十天"),
        "recent": make_problem(bureau.b2, found_on=D(2024, 5, 1), deadline=D(2024, 6, 18), description="逾期两天"),
        "soon": make_problem(bureau.b1, found_on=D(2024, 5, 1), deadline=D(2024, 6, 22), description="两天后到期"),
        "later": make_problem(bureau.b2, found_on=D(2024, 5, 1), deadline=D(2024, 7, 20), description="一个月后到期"),
        "closed": walk_to_closed(
            make_problem(bureau.b1, found_on=D(2024, 5, 1), deadline=D(2024, 5, 10), description="已销号"),
            bureau,
            closed_on=D(2024, 6, 1),
        ),
    }


def test_escalation_notice_once_per_problem(bureau, problems):
    today = problems["today"]
    counts = send_problem_reminders(today)
    assert counts[ESCALATION] == 1  # only the one more than 3 days (tracking.escalate_days_after) overdue
    notice = EscalationNotice.objects.get()
    late = problems["late"]
    assert notice.problem == late and notice.number == "督办〔2024〕1号"
    assert notice.days_overdue == 10 and notice.due_on == D(2024, 6, 10) and notice.issued_on == today
    assert notice.reply_by == D(2024, 6, 27)  # 5 working days (端午 6-10 is past; 6-22/23 a weekend)
    assert notice.org_path == bureau.b1.path and notice.recipients == "孙书记"
    # The branch secretary is told, with a link to the problem.
    note = Notification.objects.get(dedupe_key=f"supervision.escalation:{late.pk}")
    assert note.recipient == bureau.users.sec1 and note.level == "danger" and "督办〔2024〕1号" in note.title
    assert note.url == f"/supervision/problems/{late.pk}/"
    entry = AuditEntry.objects.get(action="supervision.problem.escalated")
    assert (
        entry.object_id == str(late.pk) and entry.actor_name == "系统" and entry.changes["督办单"][1] == notice.number
    )

    # Again the same day and the next: no second notice.
    send_problem_reminders(today)
    send_problem_reminders(today + datetime.timedelta(days=1))
    assert EscalationNotice.objects.count() == 1
    # Later the other problems cross the threshold: the year's sequence continues; still one each.
    send_problem_reminders(D(2024, 6, 22))
    assert EscalationNotice.objects.get(problem=problems["recent"]).number == "督办〔2024〕2号"
    send_problem_reminders(D(2024, 7, 30))
    assert EscalationNotice.objects.get(problem=problems["soon"]).number == "督办〔2024〕3号"
    assert EscalationNotice.objects.filter(problem=late).count() == 1
    assert not EscalationNotice.objects.filter(problem=problems["closed"]).exists()


def test_due_and_overdue_reminders_once(bureau, problems):
    today = problems["today"]
    counts = send_problem_reminders(today)
    assert counts[DUE_SOON] == 1 and counts[OVERDUE] == 2  # notifications: one recipient each
    stages = set(ReminderLog.objects.values_list("item__problem__description", "stage"))
    assert stages == {
        ("两天后到期", DUE_SOON),
        ("逾期十天", OVERDUE),
        ("逾期两天", OVERDUE),
        ("逾期十天", ESCALATION),
    }
    recipients = set(Notification.objects.values_list("recipient__username", "title"))
    assert ("sec2", "【整改逾期】逾期两天") in recipients and ("sec1", "【整改临期】两天后到期") in recipients
    n = Notification.objects.count()
    assert send_problem_reminders(today) == {DUE_SOON: 0, OVERDUE: 0, ESCALATION: 0}
    assert Notification.objects.count() == n


def test_the_daily_command_runs_it_once_with_the_core_reminders(bureau, problems):
    out = StringIO()
    call_command("send_reminders", "--today", "2024-06-20", stdout=out)
    assert EscalationNotice.objects.count() == 1
    # core's generic tracked-item loop ran first; each stage is logged once between the two.
    assert ReminderLog.objects.filter(stage=OVERDUE).count() == 2
    n = Notification.objects.count()
    call_command("send_reminders", "--today", "2024-06-20", stdout=StringIO())
    call_command("send_escalations", "--today", "2024-06-20", stdout=StringIO())
    assert Notification.objects.count() == n and EscalationNotice.objects.count() == 1


def test_recipients_fall_back_to_the_committee_and_include_the_responsible_person(bureau, make_problem):
    from accounts.models import RoleGrant

    RoleGrant.objects.filter(user=bureau.users.sec2).delete()
    p = make_problem(
        bureau.b2,
        found_on=D(2024, 5, 1),
        deadline=D(2024, 6, 1),
        responsible_person=bureau.sec1_person,
        description="x",
    )
    send_problem_reminders(D(2024, 6, 20), stages=(ESCALATION,))
    names = set(
        Notification.objects.filter(dedupe_key=f"supervision.escalation:{p.pk}").values_list(
            "recipient__username", flat=True
        )
    )
    assert names == {"committee", "sec1"}  # no secretary on b2: the committee; plus the responsible person


def test_queries_do_not_grow_with_the_number_of_problems(bureau, make_problem):
    def run(n, start):
        for i in range(n):
            make_problem(
                bureau.b1 if i % 2 else bureau.b2,
                found_on=D(2024, 4, 1),
                deadline=D(2024, 5, 1),
                description=f"问题{start + i}",
            )
        with CaptureQueriesContext(connection) as ctx:
            counts = send_problem_reminders(D(2024, 6, 20))
        return counts, len(ctx.captured_queries)

    few, q_few = run(3, 0)
    many, q_many = run(30, 100)
    assert few[ESCALATION] == 3 and many[ESCALATION] == 30
    assert q_many == q_few, (q_few, q_many)


def test_deleted_organizations_are_skipped(bureau, make_problem):
    cell = org_services.organization_create(
        actor=None, data={"name": "第二党小组", "code": "T0102", "org_type": "cell", "parent": bureau.b1}
    )
    p = make_problem(cell, found_on=D(2024, 5, 1), deadline=D(2024, 6, 1), description="党小组问题")
    org_services.organization_delete(actor=bureau.users.committee, org=cell)
    assert send_problem_reminders(D(2024, 6, 20))[ESCALATION] == 0
    assert not EscalationNotice.objects.filter(problem=p).exists()


def test_many_logs_written_refresh_the_planner_statistics(bureau, problems, monkeypatch):
    """After writing many reminder logs the table is analysed, so the next anti-join against it
    is planned on them (PostgreSQL kept a nested loop over every pair on stale statistics)."""
    from supervision import reminders

    analysed: list = []
    monkeypatch.setattr(reminders, "analyze", lambda *models: analysed.extend(models))
    monkeypatch.setattr(reminders, "ANALYZE_AFTER", 2)
    send_problem_reminders(problems["today"])
    assert analysed == [ReminderLog]  # the overdue logs (2); due-soon and 督办 wrote one each
    # The links the notifications carry are the problems' pages.
    assert all(
        url == reminders.reverse("supervision:problem_detail", args=[int(url.rstrip("/").rsplit("/", 1)[1])])
        for url in Notification.objects.values_list("url", flat=True)
    )
