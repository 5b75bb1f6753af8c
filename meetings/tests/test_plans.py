"""年度组织生活计划: generation from the obligations, editing, progress, pages and scope."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.audit import action_label
from core.models import AuditEntry
from meetings import plans
from meetings.models import LifePlan, LifePlanItem
from orgs import services as org_services
from orgs.models import Organization

pytestmark = pytest.mark.django_db
D = datetime.date


def generate(b, org=None, year=2024, actor=None):
    return plans.life_plan_generate(actor=actor or b.users.sec1, organization=org or b.b2, year=year)


# ---------------------------------------------------------------- services


def test_generate_one_item_per_required_meeting(est):
    b = est
    org_services.organization_update(actor=None, org=b.b2, data={"fixed_theme_day": 10})
    b.b2.refresh_from_db()
    plan = generate(b, b.b2, actor=b.users.sec2)
    items = list(plan.items.order_by("planned_on", "id"))
    assert len(items) == 12 + 4 + 4 + 3
    kinds = [i.kind for i in items]
    assert kinds.count("theme_party_day") == 12 and "branch_committee_meeting" not in kinds
    theme = [i.planned_on for i in items if i.kind == "theme_party_day"]
    assert theme == [D(2024, m, 10) for m in range(1, 13)]  # the fixed day
    general = [i.planned_on for i in items if i.kind == "branch_general_meeting"]
    assert general == [D(2024, 3, 31), D(2024, 6, 30), D(2024, 9, 30), D(2024, 12, 31)]
    assert {i.planned_on for i in items if i.kind in ("org_life_meeting", "heart_talk")} == {D(2024, 12, 31)}
    assert items[0].note == "每月至少1次（2024年1月）"
    entry = AuditEntry.objects.get(action="meetings.plan.generated")
    assert entry.object_id == str(plan.pk) and entry.organization == b.b2 and entry.actor == b.users.sec2
    assert entry.changes == {"year": [None, 2024], "items": [None, "23项"]}
    assert action_label("meetings.plan.generated") == "生成年度组织生活计划"


def test_generate_follows_structure_and_rules(est):
    from core.rules import rule_set_value

    b = est
    rule_set_value(
        actor=b.users.admin,
        code="meeting.freq.branch_general_meeting",
        year=2024,
        value={"period": "quarter", "min": 2},
    )
    plan = generate(b, b.b1)
    kinds = list(plan.items.values_list("kind", flat=True))
    assert kinds.count("branch_committee_meeting") == 12 and kinds.count("cell_meeting") == 12
    assert kinds.count("branch_general_meeting") == 8
    notes = list(plan.items.filter(kind="branch_general_meeting").values_list("note", flat=True))
    assert "每季度至少2次（2024年第一季度）第2次" in notes
    root_plan = generate(b, b.root, actor=b.users.committee)
    assert list(root_plan.items.values_list("kind", flat=True)) == ["organ_member_assembly"]


def test_generate_for_a_branch_founded_mid_year(est):
    b = est
    Organization.objects.filter(pk=b.b2.pk).update(established_on=D(2024, 9, 3))
    b.b2.refresh_from_db()
    plan = generate(b, b.b2)
    months = sorted({i.planned_on.month for i in plan.items.filter(kind="theme_party_day")})
    assert months == [9, 10, 11, 12]


def test_generate_refusals(est):
    b = est
    generate(b, b.b2)
    with pytest.raises(ValidationError, match="机关第二党支部2024年度组织生活计划已存在"):
        generate(b, b.b2)
    with pytest.raises(ValidationError, match="党小组的组织生活列入所在党支部的计划"):
        generate(b, b.cell)
    with pytest.raises(ValidationError, match="年度应在2018年至"):
        generate(b, b.b2, year=2010)
    Organization.objects.filter(pk=b.b1.pk).update(established_on=D(2025, 1, 1))
    b.b1.refresh_from_db()
    with pytest.raises(ValidationError, match="机关第一党支部2024年度没有需要列入计划的组织生活"):
        generate(b, b.b1)  # before the branch existed
    assert LifePlan.objects.count() == 1
    assert AuditEntry.objects.filter(action="meetings.plan.generated").count() == 1


def test_item_add_update_delete_are_audited(est):
    b = est
    plan = generate(b, b.b2)
    actor = b.users.sec2
    item = plans.life_plan_item_add(
        actor=actor, plan=plan, data={"kind": "party_lecture", "planned_on": D(2024, 7, 1), "topic": " 七一党课 "}
    )
    assert item.topic == "七一党课"
    added = AuditEntry.objects.get(action="meetings.plan.item_added")
    assert added.changes["kind"] == [None, "党课"] and added.organization == b.b2

    plans.life_plan_item_update(actor=actor, item=item, data={"planned_on": D(2024, 7, 2), "topic": "七一党课"})
    updated = AuditEntry.objects.get(action="meetings.plan.item_updated")
    assert updated.changes == {"planned_on": ["2024-07-01", "2024-07-02"]}
    plans.life_plan_item_update(actor=actor, item=item, data={"topic": "七一党课"})  # no change: no entry
    assert AuditEntry.objects.filter(action="meetings.plan.item_updated").count() == 1

    plans.life_plan_item_delete(actor=actor, item=item)
    assert not LifePlanItem.objects.filter(pk=item.pk).exists()
    deleted = AuditEntry.objects.get(action="meetings.plan.item_deleted")
    assert deleted.object_repr.startswith(str(plan)) and deleted.changes["topic"] == ["七一党课", None]
    for code in ("meetings.plan.item_added", "meetings.plan.item_updated", "meetings.plan.item_deleted"):
        assert action_label(code) != code


def test_item_validation(est):
    b = est
    plan = generate(b, b.b2)
    count = plan.items.count()
    with pytest.raises(ValidationError) as e:
        plans.life_plan_item_add(
            actor=None, plan=plan, data={"kind": "branch_committee_meeting", "planned_on": D(2024, 3, 1)}
        )
    assert "未设立支部委员会" in e.value.message_dict["kind"][0]
    with pytest.raises(ValidationError) as e:
        plans.life_plan_item_add(actor=None, plan=plan, data={"kind": "cell_meeting", "planned_on": D(2024, 3, 1)})
    assert "未设立党小组" in e.value.message_dict["kind"][0]
    with pytest.raises(ValidationError) as e:
        plans.life_plan_item_add(actor=None, plan=plan, data={"kind": "theme_party_day", "planned_on": D(2025, 1, 5)})
    assert e.value.message_dict["planned_on"] == ["计划日期应在2024年内"]
    with pytest.raises(ValidationError) as e:
        plans.life_plan_item_add(
            actor=None, plan=plan, data={"kind": "organ_member_assembly", "planned_on": D(2024, 3, 1)}
        )
    assert "不召开机关党员干部大会" in e.value.message_dict["kind"][0]
    item = plan.items.first()
    with pytest.raises(ValidationError):
        plans.life_plan_item_update(actor=None, item=item, data={"planned_on": D(2023, 12, 31)})
    item.refresh_from_db()
    assert item.planned_on.year == 2024 and plan.items.count() == count
    assert not AuditEntry.objects.filter(action__startswith="meetings.plan.item").exists()


def test_progress_matches_meetings_in_the_same_period(est, record_meeting):
    b = est
    plan = generate(b, b.b1)
    m_jan = record_meeting(b.b1, "theme_party_day", D(2024, 1, 20), attendance=[])
    record_meeting(b.cell, "cell_meeting", D(2024, 2, 3), attendance=[])
    q1 = record_meeting(b.b1, "branch_general_meeting", D(2024, 2, 20), attendance=[])
    record_meeting(b.b2, "theme_party_day", D(2024, 3, 1), attendance=[])  # another branch: not b1's
    progress = plans.plan_progress(plan, today=D(2024, 4, 10))
    state = {(p.item.kind, p.item.planned_on): p for p in progress}
    assert state[("theme_party_day", D(2024, 1, 31))].meeting == m_jan
    assert state[("theme_party_day", D(2024, 3, 31))].state == "overdue"
    assert state[("cell_meeting", D(2024, 2, 29))].state == "done"
    assert state[("branch_general_meeting", D(2024, 3, 31))].meeting == q1
    assert state[("branch_general_meeting", D(2024, 6, 30))].state == "planned"
    assert state[("branch_committee_meeting", D(2024, 4, 30))].state == "planned"
    summary = plans.plan_summary(progress)
    assert summary["done"] == 3 and summary["total"] == plan.items.count()
    # One meeting fulfils one item: two planned 主题党日 in January, one held.
    plans.life_plan_item_add(actor=None, plan=plan, data={"kind": "theme_party_day", "planned_on": D(2024, 1, 5)})
    jan = [
        p
        for p in plans.plan_progress(plan, today=D(2024, 4, 10))
        if p.period.code == "2024-01" and p.item.kind == "theme_party_day"
    ]
    assert [p.state for p in jan] == ["done", "overdue"]


# ---------------------------------------------------------------- pages


def test_list_scope_and_total(est, client_for):
    b = est
    generate(b, b.b1)
    generate(b, b.b2, actor=b.users.sec2)
    generate(b, b.b2, year=2023, actor=b.users.sec2)
    html = client_for(b.users.committee).get(reverse("meetings:plan_list")).content.decode()
    assert 'data-total="3"' in html and "共 <strong" in html
    html = client_for(b.users.sec1).get(reverse("meetings:plan_list")).content.decode()
    assert 'data-total="1"' in html and "机关第一党支部" in html
    html = client_for(b.users.sec2).get(reverse("meetings:plan_list"), {"year": "2023"}).content.decode()
    assert 'data-total="1"' in html
    assert client_for(b.users.member).get(reverse("meetings:plan_list")).status_code == 403


def test_list_queries_do_not_grow(est, client_for):
    b = est
    c = client_for(b.users.committee)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("meetings:plan_list")).status_code == 200
        return len(ctx.captured_queries)

    generate(b, b.b1)
    before = count()
    generate(b, b.b2)
    generate(b, b.b2, year=2023)
    generate(b, b.b1, year=2023)
    assert count() == before


def test_generate_from_the_page(est, client_for):
    b = est
    url = reverse("meetings:plan_generate")
    r = client_for(b.users.sec1).post(url, {"organization": b.b1.pk, "year": 2024})
    plan = LifePlan.objects.get(organization=b.b1, year=2024)
    assert r.status_code == 302 and r.url == reverse("meetings:plan_detail", args=[plan.pk])
    r = client_for(b.users.sec1).post(url, {"organization": b.b1.pk, "year": 2024}, follow=True)
    assert "年度组织生活计划已存在" in r.content.decode()
    assert client_for(b.users.sec2).post(url, {"organization": b.b1.pk, "year": 2023}).status_code == 404
    assert client_for(b.users.leader).post(url, {"organization": b.b1.pk, "year": 2023}).status_code == 403
    assert client_for(b.users.sec1).get(url).status_code == 405
    assert LifePlan.objects.count() == 1
    html = client_for(b.users.sec1).get(reverse("meetings:plan_list")).content.decode()
    assert 'id="plan-generate"' in html and f'<option value="{b.b2.pk}"' not in html
    html = client_for(b.users.leader).get(reverse("meetings:plan_list")).content.decode()
    assert 'id="plan-generate"' not in html


def test_detail_shows_items_and_held_meetings(est, client_for, record_meeting):
    b = est
    plan = generate(b, b.b1)
    m = record_meeting(b.b1, "theme_party_day", D(2024, 1, 20), attendance=[], topic="一月主题党日")
    html = client_for(b.users.sec1).get(reverse("meetings:plan_detail", args=[plan.pk])).content.decode()
    assert reverse("meetings:meeting_detail", args=[m.pk]) in html and "一月主题党日" in html
    assert "已召开" in html and "未召开" in html
    assert reverse("meetings:plan_item_add", args=[plan.pk]) in html
    assert "生成年度组织生活计划" in html  # history
    assert client_for(b.users.sec2).get(reverse("meetings:plan_detail", args=[plan.pk])).status_code == 404
    leader = client_for(b.users.leader).get(reverse("meetings:plan_detail", args=[plan.pk])).content.decode()
    assert reverse("meetings:plan_item_add", args=[plan.pk]) not in leader


def test_edit_items_from_the_pages(est, client_for):
    b = est
    plan = generate(b, b.b1)
    c = client_for(b.users.sec1)
    add = reverse("meetings:plan_item_add", args=[plan.pk])
    assert "规则要求：" in c.get(add).content.decode()
    r = c.post(add, {"kind": "party_lecture", "planned_on": "2024-07-01", "topic": "七一党课", "note": ""})
    assert r.status_code == 302
    item = LifePlanItem.objects.get(plan=plan, topic="七一党课")
    r = c.post(add, {"kind": "party_lecture", "planned_on": "2025-07-01", "topic": "错年", "note": ""})
    assert r.status_code == 200 and "计划日期应在2024年内" in r.content.decode()
    edit = reverse("meetings:plan_item_edit", args=[item.pk])
    assert 'value="七一党课"' in c.get(edit).content.decode()
    r = c.post(edit, {"kind": "party_lecture", "planned_on": "2024-07-02", "topic": "七一党课", "note": "书记讲"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert (item.planned_on, item.note) == (D(2024, 7, 2), "书记讲")
    # Another branch's secretary cannot reach it; a read-only role is refused.
    assert client_for(b.users.sec2).get(edit).status_code == 404
    assert client_for(b.users.leader).get(edit).status_code == 403
    assert client_for(b.users.leader).post(reverse("meetings:plan_item_delete", args=[item.pk])).status_code == 403
    r = client_for(b.users.sec1).post(reverse("meetings:plan_item_delete", args=[item.pk]))
    assert r.status_code == 302 and not LifePlanItem.objects.filter(pk=item.pk).exists()
    assert AuditEntry.objects.filter(action__startswith="meetings.plan.item").count() == 3
