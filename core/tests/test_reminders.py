import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEntry, Notification, ReminderLog
from core.reminders import escalation_recipients, reminder_recipients, secretaries_for
from core.rules import rule_set_value
from core.tracking import tracked_item_transition

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def no_terms(bureau):
    """Keep 换届 reminders out of the tracked-item tests (b1's term ended in 2023)."""
    from orgs.models import Organization

    Organization.all_objects.update(term_start=None, term_end=None)


def run(today: str) -> str:
    out = StringIO()
    call_command("send_reminders", "--today", today, stdout=out)
    return out.getvalue()


def notes(user, prefix=""):
    return list(Notification.objects.filter(recipient=user, title__startswith=prefix).values_list("title", flat=True))


def test_stages_on_the_right_days_and_idempotent(bureau, make_item, no_terms):
    u = bureau.users
    item = make_item(title="整改甲", start_on=D(2024, 3, 1), duration=10, owner=u.member)  # due 2024-03-11
    assert "已发送提醒 0 条" in run("2024-03-07")  # 4 days left: not yet yellow
    assert Notification.objects.count() == 0

    out = run("2024-03-08")  # 3 days left: yellow
    assert "已发送提醒 2 条" in out and "临期提醒" in out
    assert notes(u.member) == ["【临期提醒】测试问题整改：整改甲"]
    assert notes(u.sec1) == ["【临期提醒】测试问题整改：整改甲"]
    assert notes(u.sec2) == [] and notes(u.committee) == []
    for _ in range(3):
        assert "已发送提醒 0 条" in run("2024-03-08")
    assert "已发送提醒 0 条" in run("2024-03-11")  # still yellow, already told
    assert Notification.objects.count() == 2

    assert "已发送提醒 2 条" in run("2024-03-12")  # first overdue day: red
    assert notes(u.sec1, "【逾期提醒】") == ["【逾期提醒】测试问题整改：整改甲"]
    assert Notification.objects.get(recipient=u.member, title__startswith="【逾期").level == "danger"
    assert "已发送提醒 0 条" in run("2024-03-14")  # 3 days overdue: not more than escalate_days_after
    assert notes(u.committee) == []

    out = run("2024-03-15")  # 4 days overdue: 督办 to the committee administrators above b1
    assert "已发送提醒 1 条" in out
    assert notes(u.committee) == ["【督办】测试问题整改：整改甲"]
    assert notes(u.admin) == []  # a sysadmin is not a committee administrator
    assert "已发送提醒 0 条" in run("2024-03-15")
    assert "已发送提醒 0 条" in run("2024-04-30")
    assert Notification.objects.count() == 5
    assert set(ReminderLog.objects.filter(item=item).values_list("stage", flat=True)) == {
        "due_soon",
        "overdue",
        "escalation",
    }
    reminded = AuditEntry.objects.filter(action="core.tracked_item.reminded", object_id=str(item.pk))
    assert reminded.count() == 3
    assert reminded.filter(actor__isnull=True, actor_name="系统").count() == 3


def test_first_run_after_a_long_pause_sends_overdue_and_escalation_only(bureau, make_item, no_terms):
    make_item(title="整改乙", start_on=D(2024, 3, 1), duration=10)
    out = run("2024-06-01")
    assert "已发送提醒 2 条" in out  # overdue to sec1, escalation to committee; no stale 临期
    assert notes(bureau.users.sec1) == ["【逾期提醒】测试问题整改：整改乙"]
    assert notes(bureau.users.committee) == ["【督办】测试问题整改：整改乙"]
    assert "已发送提醒 0 条" in run("2024-06-01")


def test_closed_items_get_nothing(bureau, make_item, no_terms):
    item = make_item(start_on=D(2024, 3, 1), duration=10)
    tracked_item_transition(actor=bureau.users.sec1, item=item, to_status="closed", reason="已整改")
    assert "已发送提醒 0 条" in run("2024-06-01")


def test_rules_drive_the_windows(bureau, make_item, no_terms):
    rule_set_value(actor=bureau.users.admin, code="tracking.yellow_days_before", year=2024, value=7)
    rule_set_value(actor=bureau.users.admin, code="tracking.escalate_days_after", year=2024, value=0)
    make_item(start_on=D(2024, 3, 1), duration=10)
    assert "已发送提醒 1 条" in run("2024-03-04")  # 7 days before
    assert "已发送提醒 2 条" in run("2024-03-12")  # overdue + immediate 督办


def test_recipients(bureau, make_item):
    u = bureau.users
    in_cell = make_item(org=bureau.cell)
    # No secretary granted on the cell: the closest ancestor with one (b1) is used.
    assert secretaries_for(bureau.cell) == [u.sec1]
    assert reminder_recipients(in_cell) == [u.sec1]
    assert escalation_recipients(in_cell) == [u.committee]  # covers the cell's parent b1
    in_b2 = make_item(org=bureau.b2, owner=u.member)
    assert reminder_recipients(in_b2) == [u.member, u.sec2]
    at_root = make_item(org=bureau.root)
    assert reminder_recipients(at_root) == [u.committee]  # no secretary: committee administrators
    assert escalation_recipients(at_root) == [u.committee]


def test_term_reminders_once_per_term_end(bureau):
    # b1: term from 2020-01-10, 3 years -> ends 2023-01-10; warning window 90 days.
    key = f"term:{bureau.b1.pk}:2023-01-10"
    assert "已发送提醒 0 条" in run("2022-10-01")
    out = run("2022-12-01")
    assert "换届提醒" in out and "已发送提醒 2 条" in out
    assert set(Notification.objects.filter(dedupe_key=key).values_list("recipient__username", flat=True)) == {
        "sec1",
        "committee",
    }
    assert "已发送提醒 0 条" in run("2022-12-01")
    assert "已发送提醒 0 条" in run("2023-02-01")  # expired now, but this term end was already announced
    assert Notification.objects.filter(dedupe_key=key).count() == 2
    assert AuditEntry.objects.filter(action="core.term.reminded", object_id=str(bureau.b1.pk)).count() == 1


def test_bad_date_is_refused():
    with pytest.raises(CommandError, match="日期格式不正确"):
        call_command("send_reminders", "--today", "2024-13-01", stdout=StringIO())
