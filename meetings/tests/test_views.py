"""Organizational-life pages as users meet them: the meeting form, the record, the ledger, the
committee heatmap, a branch's obligations and a member's own record."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.audit import entries_for
from core.recyclebin import recyclable
from meetings import services
from meetings.models import Attendance, Meeting, TopicSubtype
from orgs import services as org_services

pytestmark = pytest.mark.django_db

COMMITTEE = "branch_committee_meeting"
GENERAL = "branch_general_meeting"


@pytest.fixture
def committee_b1(bureau):
    """Branch 1's committee: 孙书记 (书记), 张三 (宣传委员), 李四 (组织委员)."""
    start = datetime.date(2021, 1, 4)
    for person, post in (
        (bureau.sec1_person, "secretary"),
        (bureau.zhang, "publicity_member"),
        (bureau.li, "organization_member"),
    ):
        org_services.post_assign(actor=None, person=person, organization=bureau.b1, post=post, start_on=start)
    return [bureau.sec1_person, bureau.zhang, bureau.li]


def _form_data(org, kind, rows, **fields):
    """POST data of the meeting form: fields plus attendance rows (person, status, reason)."""
    data = {
        "organization": org.pk,
        "kind": kind,
        "held_on": fields.pop("held_on", "2022-05-10"),
        "topic": fields.pop("topic", "研究发展党员工作"),
        "_save": "1",
    }
    data.update(fields)
    data["att_person"] = [p.pk for p, _s, _r in rows]
    for person, status, reason in rows:
        data[f"att_status_{person.pk}"] = status
        data[f"att_reason_{person.pk}"] = reason
    return data


# ------------------------------------------------------------------ the form


def test_form_prefilled_from_org_and_kind(bureau, committee_b1, client_for):
    c = client_for(bureau.users.sec1)
    r = c.get(reverse("meetings:meeting_create"), {"org": bureau.b1.pk, "kind": COMMITTEE})
    assert r.status_code == 200
    html = r.content.decode()
    assert f'<option value="{bureau.b1.pk}" selected>' in html
    assert f'<option value="{COMMITTEE}" selected>' in html
    # One row per committee member, 出席 ticked by default; 王五 (branch 2) is not listed.
    table = r.context["attendance"]
    assert {line.person.pk for line in table.lines} == {p.pk for p in committee_b1}
    assert all(line.status == "present" for line in table.lines)
    assert "王五" not in html
    # The rule for the chosen type is shown as help text, and the quorum preview is there.
    assert "支部委员会会议一般每月召开1次" in html
    assert "支部委员3人" in html
    # 党员大会 lists the members of the subtree (钱七 of the 党小组 too).
    r = c.get(reverse("meetings:meeting_create"), {"org": bureau.b1.pk, "kind": GENERAL})
    names = {line.person.name for line in r.context["attendance"].lines}
    assert names == {"张三", "李四", "钱七", "孙书记"}


def test_save_with_attendance_derives_counts(bureau, committee_b1, client_for):
    c = client_for(bureau.users.sec1)
    sec, zhang, li = committee_b1
    rows = [(sec, "present", ""), (zhang, "present", ""), (li, "leave", "出差")]
    r = c.post(reverse("meetings:meeting_create"), _form_data(bureau.b1, COMMITTEE, rows, host=sec.pk))
    assert r.status_code == 302, r.content.decode()[:3000]
    meeting = Meeting.objects.get()
    assert r.url == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert (meeting.expected_count, meeting.present_count, meeting.leave_count, meeting.absent_count) == (3, 2, 1, 0)
    assert meeting.quorum_met is True
    assert meeting.org_path == bureau.b1.path
    assert Attendance.objects.get(meeting=meeting, person=li).reason == "出差"
    # The record shows the counts, the quorum and offers the attachments panel.
    page = c.get(r.url).content.decode()
    assert 'data-count="expected">3<' in page and 'data-count="leave">1<' in page
    assert "达到法定人数" in page and "支部委员3人，到会2人" in page
    assert "pb-attachments" in page and "上传" in page
    assert "登记会议" in page  # audit history
    assert len(entries_for(meeting)) == 1


def test_quorum_warning_after_save(bureau, committee_b1, client_for):
    c = client_for(bureau.users.sec1)
    sec, zhang, li = committee_b1
    rows = [(sec, "present", ""), (zhang, "absent", ""), (li, "leave", "病假")]
    r = c.post(reverse("meetings:meeting_create"), _form_data(bureau.b1, COMMITTEE, rows), follow=True)
    page = r.content.decode()
    assert Meeting.objects.get().quorum_met is False
    assert "未达到法定人数" in page and "支部委员3人，到会1人" in page
    assert "本次会议未达到法定人数" in page  # the message after saving


def test_leave_without_reason_refused_and_form_kept(bureau, committee_b1, client_for):
    c = client_for(bureau.users.sec1)
    sec, zhang, li = committee_b1
    rows = [(sec, "present", ""), (zhang, "present", ""), (li, "leave", "")]
    data = _form_data(bureau.b1, COMMITTEE, rows, topic="一个不会丢失的主题", minutes="会议记录正文")
    r = c.post(reverse("meetings:meeting_create"), data)
    assert r.status_code == 200
    html = r.content.decode()
    assert "“李四”请假须填写原因" in html
    assert Meeting.objects.count() == 0
    # Nothing typed is lost, and the error sits next to 李四's row too.
    assert "一个不会丢失的主题" in html and "会议记录正文" in html
    line = next(x for x in r.context["attendance"].lines if x.person == li)
    assert line.status == "leave" and "请假须填写原因" in line.error
    assert 'class="pb-row-error"' in html


def test_topic_meeting_needs_subtype(bureau, client_for):
    c = client_for(bureau.users.committee)
    r = c.post(reverse("meetings:meeting_create"), _form_data(bureau.root, "topic_meeting", []))
    assert r.status_code == 200
    assert "专题会议须选择专题类别" in r.content.decode()
    subtype = TopicSubtype.objects.get(code="integrity")
    r = c.post(reverse("meetings:meeting_create"), _form_data(bureau.root, "topic_meeting", [], subtype=subtype.pk))
    assert r.status_code == 302
    assert Meeting.objects.get().kind_label == "党风廉政专题会议"


def test_refresh_add_and_remove_keep_what_was_typed(bureau, committee_b1, client_for):
    c = client_for(bureau.users.sec1)
    sec, zhang, li = committee_b1
    url = reverse("meetings:meeting_create")
    # Switch the type to 党员大会 and regenerate: 李四's 请假 is kept, 钱七 is added.
    data = _form_data(bureau.b1, GENERAL, [(sec, "present", ""), (li, "leave", "出差")], topic="保留的主题")
    del data["_save"]
    data["_refresh"] = "1"
    r = c.post(url, data)
    assert r.status_code == 200 and Meeting.objects.count() == 0
    lines = {x.person.name: x for x in r.context["attendance"].lines}
    assert set(lines) == {"张三", "李四", "钱七", "孙书记"}
    assert lines["李四"].status == "leave" and lines["李四"].reason == "出差"
    assert "保留的主题" in r.content.decode()
    # Add someone of the subtree; someone of another branch cannot be added.
    del data["_refresh"]
    data.update(_add="1", add_person=bureau.wang.pk)
    r = c.post(url, data)
    assert bureau.wang.pk not in r.context["attendance"].person_ids()
    data["add_person"] = bureau.qian.pk
    r = c.post(url, data)
    assert bureau.qian.pk in r.context["attendance"].person_ids()
    # Remove a row.
    del data["_add"]
    data["_remove"] = str(li.pk)
    r = c.post(url, data)
    assert li.pk not in r.context["attendance"].person_ids()
    assert Meeting.objects.count() == 0


def test_cell_meeting_form_offers_the_cell(bureau, client_for):
    c = client_for(bureau.users.sec1)
    r = c.get(reverse("meetings:meeting_create"), {"org": bureau.b1.pk, "kind": "cell_meeting"})
    assert r.context["org"] == bureau.cell
    assert "党小组会登记在党小组下" in r.content.decode()


def test_edit_carries_version_and_reports_conflict(bureau, committee_b1, client_for, record_meeting):
    meeting = record_meeting(bureau.b1, COMMITTEE, datetime.date(2022, 5, 10), actor=bureau.users.sec1)
    c = client_for(bureau.users.sec1)
    r = c.get(reverse("meetings:meeting_edit", args=[meeting.pk]))
    assert r.status_code == 200 and r.context["form"].initial["version"] == 1
    assert len(r.context["attendance"].lines) == 3
    # Someone else saves first.
    services.meeting_update(actor=bureau.users.committee, meeting=meeting, data={"place": "三楼会议室"})
    sec, zhang, li = committee_b1
    rows = [(sec, "present", ""), (zhang, "present", ""), (li, "absent", "")]
    data = _form_data(bureau.b1, COMMITTEE, rows, topic="改过的主题", version=1)
    r = c.post(reverse("meetings:meeting_edit", args=[meeting.pk]), data)
    assert r.status_code == 200
    html = r.content.decode()
    assert "edit-conflict" in html and "改过的主题" in html
    meeting.refresh_from_db()
    assert meeting.topic == "学习会议" and meeting.absent_count == 0
    # With the current version it saves, and the counts follow the rows.
    data["version"] = meeting.version
    r = c.post(reverse("meetings:meeting_edit", args=[meeting.pk]), data)
    assert r.status_code == 302
    meeting.refresh_from_db()
    assert meeting.topic == "改过的主题" and meeting.absent_count == 1 and meeting.present_count == 2


def test_delete_to_recycle_bin_and_restore(bureau, committee_b1, client_for, record_meeting):
    meeting = record_meeting(bureau.b1, COMMITTEE, datetime.date(2022, 5, 10))
    c = client_for(bureau.users.sec1)
    r = c.post(reverse("meetings:meeting_delete", args=[meeting.pk]))
    assert r.status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert c.get(reverse("meetings:meeting_detail", args=[meeting.pk])).status_code == 404
    admin = client_for(bureau.users.committee)
    assert "学习会议" in admin.get(reverse("core:recycle_bin")).content.decode()
    r = admin.post(reverse("core:recycle_restore", args=["meetings.meeting", meeting.pk]))
    assert r.status_code == 302
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert recyclable("meetings.meeting").label == "会议"


# ------------------------------------------------------------------ scope


def test_secretary_cannot_see_or_record_another_branch(bureau, committee_b1, client_for, record_meeting):
    meeting = record_meeting(bureau.b1, COMMITTEE, datetime.date(2022, 5, 10), topic="一支部支委会")
    c = client_for(bureau.users.sec2)
    assert c.get(reverse("meetings:meeting_detail", args=[meeting.pk])).status_code == 404
    assert c.get(reverse("meetings:meeting_edit", args=[meeting.pk])).status_code == 404
    assert c.post(reverse("meetings:meeting_delete", args=[meeting.pk])).status_code == 404
    assert c.get(reverse("meetings:meeting_create"), {"org": bureau.b1.pk}).status_code == 404
    assert c.get(reverse("meetings:meeting_list"), {"org": bureau.b1.pk}).status_code == 404
    assert "一支部支委会" not in c.get(reverse("meetings:meeting_list")).content.decode()
    assert c.get(reverse("meetings:branch_view", args=[bureau.b1.pk])).status_code == 404
    # Posting branch 1 as the organization is refused, nothing saved.
    r = c.post(reverse("meetings:meeting_create"), _form_data(bureau.b1, GENERAL, [(bureau.zhang, "present", "")]))
    assert r.status_code == 200
    assert "您无权为该党组织登记会议" in r.content.decode()
    assert Meeting.objects.count() == 1
    # 张三 of branch 1 cannot be slipped into a meeting of branch 2 either.
    r = c.post(
        reverse("meetings:meeting_create"),
        _form_data(bureau.b2, GENERAL, [(bureau.wang, "present", ""), (bureau.zhang, "present", "")]),
    )
    assert r.status_code == 200 and "不属于所选党组织" in r.content.decode()
    assert Meeting.objects.count() == 1


def test_leader_reads_but_cannot_record(bureau, committee_b1, client_for, record_meeting):
    meeting = record_meeting(bureau.b1, COMMITTEE, datetime.date(2022, 5, 10))
    c = client_for(bureau.users.leader)
    page = c.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "edit-meeting" not in page
    assert c.get(reverse("meetings:meeting_edit", args=[meeting.pk])).status_code == 403
    assert c.get(reverse("meetings:meeting_create")).status_code == 403


# ------------------------------------------------------------------ ledger


@pytest.fixture
def ledger_data(bureau, committee_b1, record_meeting):
    by = bureau.users.committee
    subtypes = {s.code: s for s in TopicSubtype.objects.all()}
    made = [
        record_meeting(bureau.b1, COMMITTEE, datetime.date(2022, 1, 12), topic="一月支委会"),
        record_meeting(bureau.b1, COMMITTEE, datetime.date(2022, 5, 10), topic="五月支委会"),
        record_meeting(bureau.b1, "party_lecture", datetime.date(2022, 5, 20), topic="五月党课", lecturer=bureau.zhang),
        record_meeting(bureau.cell, "cell_meeting", datetime.date(2022, 5, 21), topic="党小组学习"),
        record_meeting(bureau.b2, GENERAL, datetime.date(2022, 8, 3), topic="二支部党员大会"),
        record_meeting(bureau.root, "topic_meeting", datetime.date(2022, 3, 2), subtype=subtypes["integrity"]),
        record_meeting(bureau.root, "topic_meeting", datetime.date(2022, 6, 2), subtype=subtypes["integrity"]),
        record_meeting(bureau.root, "topic_meeting", datetime.date(2022, 9, 2), subtype=subtypes["ideology"]),
        record_meeting(bureau.b1, "party_lecture", datetime.date(2023, 2, 1), topic="新年党课", lecturer=bureau.li),
    ]
    assert all(m.created_by == by for m in made)
    return made


def _total(client, **params) -> int:
    r = client.get(reverse("meetings:meeting_list"), params)
    assert r.status_code == 200
    return r.context["page_obj"].paginator.count


def test_ledger_filters_and_totals(bureau, ledger_data, client_for):
    c = client_for(bureau.users.committee)
    assert _total(c) == 9
    assert _total(c, org=bureau.b1.pk) == 5  # the 党小组's meeting counts under its branch
    assert _total(c, org=bureau.b1.pk, kind=COMMITTEE) == 2
    assert _total(c, org=bureau.b1.pk, kind=COMMITTEE, period="2022-05") == 1
    assert _total(c, kind="topic_meeting", subtype="integrity", period="2022H1") == 2
    assert _total(c, kind="topic_meeting", period="2022Q3") == 1
    assert _total(c, period="2022") == 8
    assert _total(c, period="2022-05-01..2022-05-31") == 3
    assert _total(c, lecturer=bureau.zhang.pk) == 1
    assert _total(c, q="党课") == 2
    page = c.get(reverse("meetings:meeting_list"), {"org": bureau.b1.pk}).content.decode()
    assert 'data-total="5"' in page and "共 <strong" in page
    # The secretary of branch 1 sees branch 1 (with its 党小组) only.
    assert _total(client_for(bureau.users.sec1)) == 5


def test_ledger_total_equals_count_behind_a_statistic_link(bureau, ledger_data, client_for):
    """A statistic links here with org, kind, subtype and period: the total is the same count."""
    c = client_for(bureau.users.committee)
    for org, kind, subtype, period in [
        (bureau.root, "topic_meeting", "integrity", "2022H1"),
        (bureau.b1, COMMITTEE, "", "2022"),
        (bureau.root, "", "", "2022Q2"),
    ]:
        from core.periods import Period

        p = Period.parse(period)
        expected = Meeting.objects.filter(org_path__startswith=org.path, held_on__gte=p.start, held_on__lte=p.end)
        if kind:
            expected = expected.filter(kind=kind)
        if subtype:
            expected = expected.filter(subtype__code=subtype)
        assert _total(c, org=org.pk, kind=kind, subtype=subtype, period=period) == expected.count()


def test_statistics_link_to_ledger_with_the_same_total(bureau, ledger_data, client_for):
    """Each count registered for the report links here; the ledger's 共 N 条 is the figure."""
    from urllib.parse import parse_qsl, urlsplit

    from core.periods import Period
    from core.stats import registered_statistics

    c = client_for(bureau.users.committee)
    checked = 0
    for stat in registered_statistics():
        if not stat.code.startswith(("meetings.kind.", "meetings.topic.")):
            continue
        for org in (bureau.root, bureau.b1):
            value = stat.compute(Period.parse("2022H1"), org, bureau.users.committee)
            url = urlsplit(value.url)
            assert url.path == reverse("meetings:meeting_list")
            assert _total(c, **dict(parse_qsl(url.query))) == value.value, (stat.code, org.name)
            checked += 1
    assert checked >= 20


def test_ledger_invalid_period_message(bureau, ledger_data, client_for):
    c = client_for(bureau.users.committee)
    r = c.get(reverse("meetings:meeting_list"), {"period": "2022Q5"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "无法识别的期间“2022Q5”" in html and "已忽略" in html
    assert r.context["page_obj"].paginator.count == 9
    r = c.get(reverse("meetings:meeting_list"), {"period": "2022-13", "kind": "nonsense"})
    assert r.status_code == 200 and "月份无效" in r.content.decode()


def test_ledger_constant_queries(bureau, committee_b1, client_for, record_meeting):
    c = client_for(bureau.users.committee)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("meetings:meeting_list"), {"org": bureau.b1.pk}).status_code == 200
        return len(ctx.captured_queries)

    record_meeting(bureau.b1, "party_lecture", datetime.date(2022, 5, 20), lecturer=bureau.zhang)
    small = count()
    for day in range(1, 16):
        record_meeting(bureau.b1, "party_lecture", datetime.date(2022, 6, day), lecturer=bureau.li, host=bureau.zhang)
    assert count() == small


def test_form_and_record_constant_queries(bureau, committee_b1, client_for, record_meeting):
    c = client_for(bureau.users.sec1)
    url = reverse("meetings:meeting_create")
    params = {"org": bureau.b1.pk, "kind": GENERAL}
    small, _ = _queries(c, url, params)
    meeting = record_meeting(bureau.b1, GENERAL, datetime.date(2022, 5, 10))
    small_detail, _ = _queries(c, reverse("meetings:meeting_detail", args=[meeting.pk]))
    for i in range(20):
        org_services.person_create(
            actor=None,
            data={
                "name": f"新党员{i}",
                "organization": bureau.cell if i % 2 else bureau.b1,
                "party_status": "full",
                "joined_party_on": datetime.date(2015, 7, 1),
            },
        )
    large, html = _queries(c, url, params)
    assert "新党员19" in html
    assert large == small
    bigger = record_meeting(bureau.b1, GENERAL, datetime.date(2022, 6, 10))
    assert bigger.expected_count == 24
    large_detail, _ = _queries(c, reverse("meetings:meeting_detail", args=[bigger.pk]))
    assert large_detail == small_detail


# ------------------------------------------------------------------ heatmap and branch view


def _grow_branches(bureau, n: int):
    made = []
    for i in range(n):
        made.append(
            org_services.organization_create(
                actor=None,
                data={
                    "name": f"扩展党支部{i}",
                    "code": f"X{i:03d}",
                    "org_type": "branch",
                    "parent": bureau.root,
                    "has_committee": i % 2 == 0,
                    "established_on": datetime.date(2020, 1, 1),
                },
            )
        )
    return made


def _queries(client, url, params=None) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params or {})
    assert r.status_code == 200, r.content.decode()[:2000]
    return len(ctx.captured_queries), r.content.decode()


def test_heatmap_renders_states_with_constant_queries(bureau, committee_b1, client_for, record_meeting):
    today = timezone.localdate()
    year = today.year - 1  # a whole past year: every unmet month is overdue
    for org in (bureau.b1, bureau.b2, bureau.root):
        org.established_on = datetime.date(year - 5, 1, 1)
        org.save(update_fields=["established_on"])
    record_meeting(bureau.b1, COMMITTEE, datetime.date(year, 5, 10))
    c = client_for(bureau.users.committee)
    url = reverse("meetings:compliance")
    small, html = _queries(c, url, {"period": str(year)})
    assert "支委会 ✓" in html and "支委会 ✗" in html
    assert "echarts.min.js" in html and "heatmap-table" in html
    assert "机关第一党支部" in html and "机关第二党支部" in html
    # The branches falling behind are listed, most overdue first; each cell links to the ledger.
    behind = [b["org"] for b in c.get(url, {"period": str(year)}).context["behind"]]
    assert behind[0] == bureau.b1  # 支委会 and 党小组会 owed on top of what branch 2 owes
    assert f"org={bureau.b1.pk}&amp;kind={COMMITTEE}&amp;period={year}-05" in html
    # More branches and meetings: the same number of queries.
    for branch in _grow_branches(bureau, 8):
        record_meeting(branch, GENERAL, datetime.date(year, 3, 3), attendance=[])
    for month in range(1, 13):
        record_meeting(bureau.b1, "theme_party_day", datetime.date(year, month, 1))
    large, html = _queries(c, url, {"period": str(year)})
    assert "扩展党支部7" in html
    assert large == small
    # A bad period: a message, the current year instead.
    r = c.get(url, {"period": "2022Q9"})
    assert r.status_code == 200 and "无法识别的期间" in r.content.decode()
    assert r.context["period"].code == str(today.year)


def test_branch_view_lists_what_is_owed(bureau, committee_b1, client_for, record_meeting):
    today = timezone.localdate()
    bureau.b1.established_on = datetime.date(today.year - 3, 1, 1)
    bureau.b1.save(update_fields=["established_on"])
    c = client_for(bureau.users.sec1)
    url = reverse("meetings:branch_view", args=[bureau.b1.pk])
    small, html = _queries(c, url)
    summary = c.get(url).context["summary"]
    assert summary.startswith("本月还需召开：") and "支委会" in summary and "本季度还需召开：" in summary
    assert f"?org={bureau.b1.pk}&amp;kind={COMMITTEE}" in html and "登记</a>" in html
    if today.month > 1:
        assert "已逾期未召开" in html  # earlier months of this year
    # Holding this month's 支委会 moves it to 已完成.
    record_meeting(bureau.b1, COMMITTEE, today)
    for day in range(1, 10):
        record_meeting(bureau.b1, "party_lecture", datetime.date(today.year, 1, day), attendance=[])
    _grow_branches(bureau, 5)
    large, html = _queries(c, url)
    assert large == small
    month = next(s for s in c.get(url).context["sections"] if s["key"] == "month")
    assert COMMITTEE in {ob.kind for ob in month["done"]}
    assert "学习会议" in html  # recent meetings


def test_branch_view_for_a_branch_without_committee(bureau, client_for):
    c = client_for(bureau.users.sec2)
    r = c.get(reverse("meetings:branch_view", args=[bureau.b2.pk]))
    assert r.status_code == 200
    kinds = {ob.kind for s in r.context["sections"] for ob in s["open"] + s["done"]}
    assert COMMITTEE not in kinds and "branch_general_meeting" in kinds


# ------------------------------------------------------------------ member's own record


def test_member_sees_only_own_record(bureau, committee_b1, client_for, record_meeting):
    today = timezone.localdate()
    year = today.year
    came = record_meeting(bureau.b1, COMMITTEE, datetime.date(year, 1, 1), topic="我出席的支委会")
    missed = record_meeting(bureau.b1, COMMITTEE, today, topic="我缺席的支委会", present=[bureau.li])
    record_meeting(bureau.b2, GENERAL, today, topic="二支部的党员大会")
    lecture = record_meeting(
        bureau.b1, "party_lecture", datetime.date(year - 1, 6, 1), topic="我讲的党课", lecturer=bureau.zhang
    )
    c = client_for(bureau.users.member)  # 张三
    r = c.get(reverse("meetings:my_meetings"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "我出席的支委会" in html and "我缺席的支委会" in html and "我讲的党课" in html
    assert "二支部的党员大会" not in html
    assert {a.person_id for a in r.context["attendance"]} == {bureau.zhang.pk}
    totals = r.context["totals"]
    assert (totals["total"], totals["present"], totals["absent"]) == (2, 1, 1)
    assert r.context["rate"] == 50
    # The member opens their own meetings, not others'; the ledger is not theirs.
    assert c.get(reverse("meetings:meeting_detail", args=[came.pk])).status_code == 200
    assert c.get(reverse("meetings:meeting_detail", args=[missed.pk])).status_code == 200
    assert c.get(reverse("meetings:meeting_detail", args=[lecture.pk])).status_code == 200
    other = Meeting.objects.get(topic="二支部的党员大会")
    assert c.get(reverse("meetings:meeting_detail", args=[other.pk])).status_code == 404
    assert c.get(reverse("meetings:meeting_list")).status_code == 403
    # A user without a person record has no such page.
    assert client_for(bureau.users.nobody).get(reverse("meetings:my_meetings")).status_code == 404
