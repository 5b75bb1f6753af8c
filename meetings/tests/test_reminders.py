"""Obligation reminders (send_reminders) and the home page's 组织生活 lines."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import make_user
from core.models import AuditEntry, Notification
from meetings.reminders import obligation_due_items, obligation_recipients
from orgs import services as org_services
from orgs.models import Organization

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def est(bureau):
    """Organizations established in 2018, no term reminders; 李四 is b1's 党务干部 with an account."""
    Organization.all_objects.update(established_on=D(2018, 1, 1), term_start=None, term_end=None)
    for name in ("root", "b1", "b2", "cell"):
        getattr(bureau, name).refresh_from_db()
    bureau.users.li = make_user("li", person=bureau.li)
    org_services.post_assign(
        actor=None, person=bureau.li, organization=bureau.b1, post="affairs_officer", start_on=D(2023, 1, 1)
    )
    return bureau


def run(today: str) -> str:
    out = StringIO()
    call_command("send_reminders", "--today", today, stdout=out)
    return out.getvalue()


def keys(user=None, **filters):
    qs = Notification.objects.filter(dedupe_key__startswith="obl:", **filters)
    if user is not None:
        qs = qs.filter(recipient=user)
    return sorted(qs.values_list("dedupe_key", flat=True))


def key(org, kind, period, stage):
    return f"obl:{org.pk}:{kind}:{period}:{stage}"


def hold_april(b, record_meeting):
    """Everything monthly held in April 2024, so that only May's reminders remain."""
    record_meeting(b.b1, "branch_committee_meeting", D(2024, 4, 10), attendance=[])
    record_meeting(b.cell, "cell_meeting", D(2024, 4, 11), attendance=[])
    record_meeting(b.b1, "theme_party_day", D(2024, 4, 12), attendance=[])
    record_meeting(b.b2, "theme_party_day", D(2024, 4, 12), attendance=[])


def test_due_reminders_on_the_right_day_and_once(est, record_meeting):
    b = est
    hold_april(b, record_meeting)
    assert "已发送提醒 0 条" in run("2024-05-27")  # 4 days before 05-31: not yet
    out = run("2024-05-28")  # 3 days before (tracking.yellow_days_before): yellow
    assert "组织生活临期提醒" in out
    b1_keys = [
        key(b.b1, "branch_committee_meeting", "2024-05", "due"),
        key(b.b1, "cell_meeting", "2024-05", "due"),
        key(b.b1, "theme_party_day", "2024-05", "due"),
    ]
    assert keys(b.users.sec1) == sorted(b1_keys)
    assert keys(b.users.li) == sorted(b1_keys)
    assert keys(b.users.sec2) == [key(b.b2, "theme_party_day", "2024-05", "due")]
    assert "已发送提醒 7 条" in out  # 3 × 2 for b1, 1 for b2
    for day in ("2024-05-28", "2024-05-29", "2024-05-31"):
        assert "已发送提醒 0 条" in run(day)  # each reminder once
    assert Notification.objects.filter(dedupe_key__startswith="obl:").count() == 7
    note = Notification.objects.get(
        recipient=b.users.sec1, dedupe_key=key(b.b1, "branch_committee_meeting", "2024-05", "due")
    )
    assert note.title == "【组织生活提醒】机关第一党支部2024年5月尚未召开支委会"
    assert "2024年5月31日前" in note.body and note.level == "warning"
    assert note.url == reverse("meetings:meeting_create") + f"?org={b.b1.pk}&kind=branch_committee_meeting"
    assert AuditEntry.objects.filter(action="meetings.obligation.reminded").count() == 2  # one per organization


def test_a_held_meeting_stops_the_reminder(est, record_meeting):
    b = est
    hold_april(b, record_meeting)
    record_meeting(b.b2, "theme_party_day", D(2024, 5, 20), attendance=[])
    run("2024-05-28")
    assert keys(b.users.sec2) == []


def test_overdue_reminders_after_the_period_ends(est, record_meeting):
    b = est
    hold_april(b, record_meeting)
    record_meeting(b.b1, "branch_committee_meeting", D(2024, 5, 10), attendance=[])
    run("2024-05-31")
    assert not Notification.objects.filter(dedupe_key__endswith=":overdue").exists()
    out = run("2024-06-01")
    assert "组织生活逾期提醒" in out
    assert keys(b.users.sec1, dedupe_key__endswith=":overdue") == sorted(
        [key(b.b1, "cell_meeting", "2024-05", "overdue"), key(b.b1, "theme_party_day", "2024-05", "overdue")]
    )
    late = Notification.objects.get(recipient=b.users.sec2, dedupe_key__endswith=":overdue")
    assert late.title == "【组织生活逾期】机关第二党支部2024年5月未按要求召开主题党日" and late.level == "danger"
    assert "已发送提醒 0 条" in run("2024-06-02")
    assert "已发送提醒 0 条" in run("2024-06-20")


def test_quarter_and_year_reminders(est, record_meeting):
    b = est
    run("2024-06-26")
    assert not Notification.objects.filter(dedupe_key__contains=":2024Q2:").exists()
    run("2024-06-27")  # 3 days before 06-30
    assert key(b.b2, "branch_general_meeting", "2024Q2", "due") in keys(b.users.sec2)
    assert key(b.b2, "party_lecture", "2024Q2", "due") in keys(b.users.sec2)
    run("2024-07-01")
    assert key(b.b2, "branch_general_meeting", "2024Q2", "overdue") in keys(b.users.sec2)
    run("2024-12-28")
    assert key(b.b2, "org_life_meeting", "2024", "due") in keys(b.users.sec2)
    run("2025-01-02")
    assert key(b.b2, "org_life_meeting", "2024", "overdue") in keys(b.users.sec2)
    assert key(b.b2, "branch_general_meeting", "2024Q4", "overdue") in keys(b.users.sec2)


def test_only_the_period_just_ended_is_reported_late(est):
    b = est
    run("2024-08-10")  # the first run in months: July is reported, not May or June
    late = keys(b.users.sec2, dedupe_key__endswith=":overdue")
    assert late == [key(b.b2, "theme_party_day", "2024-07", "overdue")]


def test_fixed_theme_day_reminder(est, record_meeting):
    b = est
    hold_april(b, record_meeting)
    org_services.organization_update(actor=None, org=b.b2, data={"fixed_theme_day": 15})
    run("2024-05-11")
    assert keys(b.users.sec2) == []
    run("2024-05-12")  # 3 days before the fixed day
    assert keys(b.users.sec2) == [key(b.b2, "theme_party_day", "2024-05", "due")]
    note = Notification.objects.get(recipient=b.users.sec2)
    assert "2024年5月15日前" in note.body


def test_recipients(est):
    b = est
    # 张三 was 党务干部 of b1 until 2023; 王五 is 书记 of b2 without an account; an inactive secretary.
    old = org_services.post_assign(
        actor=None, person=b.zhang, organization=b.b1, post="affairs_officer", start_on=D(2020, 1, 1)
    )
    org_services.post_end(actor=None, post=old, end_on=D(2023, 12, 31))
    org_services.post_assign(actor=None, person=b.wang, organization=b.b2, post="secretary", start_on=D(2020, 1, 1))
    org_services.post_assign(
        actor=None, person=b.sec2_person, organization=b.b1, post="secretary", start_on=D(2024, 6, 1)
    )
    gone = make_user("gone", grants=[("branch_secretary", b.b1)], is_active=False)
    found = obligation_recipients([b.root.pk, b.b1.pk, b.b2.pk, b.cell.pk], D(2024, 5, 28))
    assert {u.username for u in found[b.b1.pk]} == {"sec1", "li"}  # not the past officer, not before 06-01
    assert {u.username for u in found[b.b2.pk]} == {"sec2"}
    assert b.root.pk not in found  # nobody granted or in office there
    assert gone.pk not in {u.pk for users in found.values() for u in users}
    later = obligation_recipients([b.b1.pk], D(2024, 6, 1))
    assert {u.username for u in later[b.b1.pk]} == {"sec1", "li", "sec2"}  # 周书记 now 书记 of b1 too
    # The committee administrator and the member are never reminded about a branch's meetings.
    run("2024-05-28")
    assert keys(b.users.committee) == [] and keys(b.users.member) == [] and keys(b.users.admin) == []


def test_no_committee_meeting_reminder_without_a_committee(est):
    b = est
    run("2024-05-28")
    run("2024-06-01")
    assert Notification.objects.filter(dedupe_key__startswith=f"obl:{b.b1.pk}:branch_committee_meeting").exists()
    assert not Notification.objects.filter(dedupe_key__startswith=f"obl:{b.b2.pk}:branch_committee_meeting").exists()
    assert not Notification.objects.filter(dedupe_key__startswith=f"obl:{b.b2.pk}:cell_meeting").exists()


def test_root_assembly_reminder_goes_to_its_secretary(est):
    b = est
    committee_secretary = org_services.person_create(
        actor=None, data={"name": "党委书记", "organization": b.root, "party_status": "full"}
    )
    user = make_user("rootsec", person=committee_secretary)
    org_services.post_assign(
        actor=None, person=committee_secretary, organization=b.root, post="secretary", start_on=D(2020, 1, 1)
    )
    run("2024-12-28")
    assert keys(user) == [key(b.root, "organ_member_assembly", "2024", "due")]


# ---------------------------------------------------------------- home page


def test_home_lines_for_a_secretary(est, record_meeting):
    b = est
    hold_april(b, record_meeting)
    record_meeting(b.b1, "theme_party_day", D(2024, 5, 8), attendance=[])
    items = obligation_due_items(b.users.sec1, D(2024, 5, 29))
    by_title = {i.title: i for i in items}
    month = by_title["本月还需召开：支委会、党小组会"]
    assert month.urgency == "due" and month.due_on == D(2024, 5, 31) and month.detail == "机关第一党支部"
    assert month.url == reverse("meetings:meeting_create") + f"?org={b.b1.pk}&kind=branch_committee_meeting"
    assert month.action_label == "登记支委会"
    quarter = by_title["本季度还需召开：支部党员大会、党课"]
    assert quarter.urgency == "info" and quarter.due_on == D(2024, 6, 30)
    assert by_title["本年度还需召开：组织生活会、民主评议党员、谈心谈话"].due_on == D(2024, 12, 31)
    assert len(items) == 3  # April was held: nothing late


def test_home_lines_after_a_missed_month(est):
    b = est
    items = obligation_due_items(b.users.sec2, D(2024, 6, 3))
    late = [i for i in items if i.urgency == "overdue"]
    assert [i.title for i in late] == ["上月未按要求召开：主题党日"]
    assert late[0].action_label == "补录主题党日" and late[0].due_on == D(2024, 5, 31)
    assert obligation_due_items(b.users.leader, D(2024, 6, 3)) == []
    assert obligation_due_items(b.users.member, D(2024, 6, 3)) == []


def test_home_lines_for_the_committee_are_summed_up(est):
    b = est
    items = obligation_due_items(b.users.committee, D(2024, 5, 29))
    titles = [i.title for i in items]
    assert "下级党组织本月尚未召开：支委会（1个）、党小组会（1个）、主题党日（2个）" in titles
    assert "下级党组织上月未按要求召开：支委会（1个）、党小组会（1个）、主题党日（2个）" in titles
    assert "本年度还需召开：机关党员干部大会" in titles  # the root itself: granted there
    summary = next(i for i in items if i.title.startswith("下级党组织本月"))
    assert summary.url == reverse("meetings:compliance") + "?period=2024-05" and summary.detail == "共2个党组织"


def test_home_page_shows_the_line_with_a_link(bureau, client_for):
    # The bureau's organizations were entered today: this month is owed.
    html = client_for(bureau.users.sec1).get(reverse("core:home")).content.decode()
    assert "本月还需召开：" in html and "主题党日" in html
    assert f"?org={bureau.b1.pk}&amp;kind=" in html
    html = client_for(bureau.users.sec2).get(reverse("core:home")).content.decode()
    assert "支委会" not in html  # b2 has no committee
