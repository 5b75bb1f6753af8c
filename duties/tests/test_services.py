"""Writes of the responsibility area: rules, audit entries (exactly one per call), soft delete."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.concurrency import ConcurrentEditError
from core.models import AuditEntry, Rule
from core.rules import rule_set_value
from core.scope import policy_for
from duties import services
from duties.models import (
    BoundaryDivision,
    ControlMeasure,
    Frequency,
    LiaisonKind,
    ResponsibilityEvidence,
    ResponsibilityItem,
    StepKind,
    Subject,
    WorkflowStep,
)
from duties.tests.factories import steps_simple

pytestmark = pytest.mark.django_db
D = datetime.date


def audit_count() -> int:
    return AuditEntry.objects.count()


def item(bureau, **kw):
    data = {
        "organization": bureau.root,
        "subject": Subject.LEADING_GROUP,
        "content": "每季度召开党建工作专题会",
        "frequency": Frequency.QUARTER,
    }
    data.update(kw)
    return services.item_create(actor=bureau.users.committee, data=data)


def test_item_create_writes_one_audit_entry_and_numbers_the_item(bureau):
    before = audit_count()
    first = item(bureau)
    second = item(
        bureau, content="每半年研究意识形态工作", frequency=Frequency.HALF, derived_from="meetings.topic.ideology"
    )
    assert audit_count() == before + 2
    entry = AuditEntry.objects.filter(action="duties.item.created").order_by("id").last()
    assert entry.object_id == str(second.pk) and entry.organization == bureau.root
    assert entry.actor == bureau.users.committee
    assert entry.changes["derived_from"] == [None, "meetings.topic.ideology"]
    assert (first.order, second.order) == (1, 2)
    assert first.org_path == bureau.root.path


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"derived_from": "nothing.here"}, "derived_from"),
        ({"frequency": Frequency.ONCE, "derived_from": "meetings.topic.ideology"}, "derived_from"),
        ({"content": ""}, "content"),
        ({"subject": "boss"}, "subject"),
    ],
)
def test_item_rules_refuse_and_write_nothing(bureau, data, field):
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        item(bureau, **data)
    assert field in exc.value.message_dict
    assert ResponsibilityItem.objects.count() == 0 and audit_count() == before


def test_evidence_follows_the_items_frequency(bureau):
    quarterly = item(bureau)
    ev = services.evidence_add(actor=None, data={"item": quarterly, "period_code": "2022q2", "note": "召开专题会"})
    assert (ev.period_code, ev.period_start, ev.period_end) == ("2022Q2", D(2022, 4, 1), D(2022, 6, 30))
    assert ev.org_path == bureau.root.path
    bad = [
        ({"period_code": "2022H1"}, "period_code", "每季度"),
        ({"period_code": "2022-01-01..2022-03-31"}, "period_code", "年、半年、季度或月"),
        ({"period_code": "去年"}, "period_code", "无法识别"),
        ({"period_code": f"{timezone.localdate().year + 1}Q1"}, "period_code", "尚未开始"),
        ({"period_code": "2022Q2", "done_on": D(2022, 7, 2)}, "done_on", "2022年第二季度内"),
        ({"period_code": "2022Q2", "note": "  "}, "note", "请填写"),
    ]
    for override, field, words in bad:
        data = {"item": quarterly, "period_code": "2022Q1", "note": "有佐证", **override}
        with pytest.raises(ValidationError) as exc:
            services.evidence_add(actor=None, data=data)
        assert field in exc.value.message_dict, override
        assert words in " ".join(exc.value.message_dict[field]), override
    assert ResponsibilityEvidence.objects.count() == 1

    once = item(bureau, content="制定主体责任清单", frequency=Frequency.ONCE)
    services.evidence_add(
        actor=None, data={"item": once, "period_code": "2022", "done_on": D(2022, 3, 30), "note": "审议通过"}
    )


def test_update_records_changes_checks_versions_and_skips_no_ops(bureau):
    it = item(bureau)
    before = audit_count()
    same = services.record_update(actor=None, obj=it, data={"content": it.content})
    assert audit_count() == before and same.version == 1
    changed = services.record_update(
        actor=None, obj=it, data={"content": "每季度至少召开1次党建工作专题会"}, expected_version=1
    )
    assert changed.version == 2 and audit_count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "duties.item.updated"
    assert entry.changes["content"] == ["每季度召开党建工作专题会", "每季度至少召开1次党建工作专题会"]
    with pytest.raises(ConcurrentEditError):
        services.record_update(actor=None, obj=it, data={"content": "另一个版本"}, expected_version=1)
    it.refresh_from_db()
    assert it.content == "每季度至少召开1次党建工作专题会"


def test_soft_delete_and_restore_with_parents(bureau):
    it = item(bureau)
    ev = services.evidence_add(actor=None, data={"item": it, "period_code": "2022Q1", "note": "召开专题会"})
    services.record_delete(actor=bureau.users.committee, obj=ev)
    services.record_delete(actor=bureau.users.committee, obj=it)
    assert not ResponsibilityItem.objects.exists() and not ResponsibilityEvidence.objects.exists()
    assert AuditEntry.objects.filter(action="duties.evidence.deleted").count() == 1
    ev = ResponsibilityEvidence.all_objects.get(pk=ev.pk)
    with pytest.raises(ValidationError, match="请先恢复责任项目"):
        services.record_restore(actor=None, obj=ev)
    services.record_restore(actor=None, obj=ResponsibilityItem.all_objects.get(pk=it.pk))
    services.record_restore(actor=None, obj=ev)
    assert ResponsibilityEvidence.objects.count() == 1
    assert AuditEntry.objects.filter(action="core.object.restored").count() == 2


def test_dual_responsibility_needs_a_leader_and_records_departments(bureau):
    with pytest.raises(ValidationError) as exc:
        services.dual_create(
            actor=None,
            data={
                "person": bureau.zhang,
                "organization": bureau.root,
                "areas": "分管办公室",
                "duties": "x",
                "valid_from": D(2022, 1, 1),
            },
        )
    assert "不是班子成员" in exc.value.message_dict["person"][0]
    dual = services.dual_create(
        actor=None,
        data={
            "person": bureau.sec1_person,
            "organization": bureau.root,
            "areas": "分管办公室、财务科",
            "departments": [bureau.office, bureau.finance],
            "duties": "督促分管科室落实党风廉政建设责任",
            "valid_from": D(2022, 1, 1),
        },
    )
    assert set(dual.departments.all()) == {bureau.office, bureau.finance}
    entry = AuditEntry.objects.latest("id")
    assert entry.changes["departments"] == [None, "办公室、财务科"]
    services.record_update(actor=None, obj=dual, data={"departments": [bureau.office]})
    assert AuditEntry.objects.latest("id").changes["departments"] == ["办公室、财务科", "办公室"]
    with pytest.raises(ValidationError, match="截止日期"):
        services.record_update(actor=None, obj=dual, data={"valid_to": D(2021, 1, 1)})


def test_liaison_and_activity_rules(bureau):
    leader = bureau.sec1_person
    for org, words in ((bureau.cell, "党支部"), (bureau.root, "党支部")):
        with pytest.raises(ValidationError, match=words):
            services.liaison_create(actor=None, data={"leader": leader, "branch": org, "start_on": D(2022, 7, 1)})
    with pytest.raises(ValidationError, match="不是领导干部"):
        services.liaison_create(
            actor=None, data={"leader": bureau.zhang, "branch": bureau.b1, "start_on": D(2022, 7, 1)}
        )
    liaison = services.liaison_create(
        actor=None, data={"leader": leader, "branch": bureau.b1, "start_on": D(2022, 7, 1), "end_on": D(2023, 6, 30)}
    )
    assert liaison.org_path == bureau.b1.path
    with pytest.raises(ValidationError, match="期间不能重叠"):
        services.liaison_create(actor=None, data={"leader": leader, "branch": bureau.b1, "start_on": D(2023, 1, 1)})
    services.liaison_create(actor=None, data={"leader": leader, "branch": bureau.b1, "start_on": D(2023, 7, 1)})
    for day in (D(2022, 6, 30), D(2023, 7, 1), timezone.localdate() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError):
            services.activity_create(
                actor=None, data={"liaison": liaison, "held_on": day, "kind": LiaisonKind.TALK, "content": "谈心谈话"}
            )
    activity = services.activity_create(
        actor=bureau.users.sec1,
        data={"liaison": liaison, "held_on": D(2022, 9, 1), "kind": LiaisonKind.TALK, "content": "谈心谈话"},
    )
    assert activity.org_path == bureau.b1.path and activity.recorded_by == bureau.users.sec1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "duties.activity.created" and entry.organization == bureau.b1


def risk_data(bureau, **kw):
    data = {
        "organization": bureau.root,
        "area": "政治安全领域",
        "post": "信息宣传岗",
        "category": "process",
        "risk_point": "信息发布审核不严",
        "manifestation": "未经审核发布",
        "level": "中",
        "measures": "三审三校",
        "responsible_person": "办公室主任",
        "responsible_leader": "分管副局长",
    }
    data.update(kw)
    return data


def test_risk_levels_come_from_the_rules(bureau):
    with pytest.raises(ValidationError, match="高、中、低"):
        services.risk_create(actor=None, data=risk_data(bureau, level="一级"))
    services.risk_create(actor=None, data=risk_data(bureau))
    assert Rule.objects.filter(code="duties.risk.levels").exists()
    rule_set_value(actor=None, code="duties.risk.levels", year=2018, value=["一级", "二级", "三级"])
    assert services.risk_levels() == ["一级", "二级", "三级"]
    services.risk_create(actor=None, data=risk_data(bureau, level="一级", risk_point="另一风险"))
    with pytest.raises(ValidationError):
        services.post_risk_create(
            actor=None, data={"department": bureau.office, "post": "机要岗", "risk": "失泄密", "level": "高"}
        )


def test_division_lead_cannot_assist(bureau):
    with pytest.raises(ValidationError, match="牵头科室不能同时是配合科室"):
        services.division_create(
            actor=None,
            data={"lead_department": bureau.office, "matter": "会议筹备", "assisting_departments": [bureau.office]},
        )
    division = services.division_create(
        actor=None,
        data={"lead_department": bureau.office, "matter": "会议筹备", "assisting_departments": [bureau.finance]},
    )
    with pytest.raises(ValidationError):
        services.record_update(actor=None, obj=division, data={"lead_department": bureau.finance})
    assert BoundaryDivision.objects.get().lead_department == bureau.office


def test_flowchart_steps_are_saved_as_a_whole(bureau):
    chart = services.flowchart_create(actor=None, data={"department": bureau.office, "name": "用印审批流程"})
    with pytest.raises(ValidationError, match="已有名为"):
        services.flowchart_create(actor=None, data={"department": bureau.office, "name": "用印审批流程"})
    before = audit_count()
    bad = [
        [services.StepRow(1, "开始", StepKind.START), services.StepRow(1, "重复", StepKind.PROCESS)],
        [services.StepRow(1, "判断", StepKind.DECISION)],
        [services.StepRow(1, "开始", StepKind.START, yes_to=9)],
        [services.StepRow(1, "结束", StepKind.END, yes_to=1)],
        [services.StepRow(1, "办理", StepKind.PROCESS, no_to=1)],
        [],
    ]
    messages = []
    for rows in bad:
        with pytest.raises(ValidationError) as exc:
            services.flowchart_set_steps(actor=None, chart=chart, rows=rows)
        messages.append(" ".join(exc.value.messages))
    assert "重复" in messages[0] and "须填写“否”" in messages[1] and "不存在" in messages[2]
    assert "结束" in messages[3] and "不是判断" in messages[4] and "至少需要1个步骤" in messages[5]
    assert audit_count() == before and not WorkflowStep.objects.exists()

    services.flowchart_set_steps(actor=bureau.users.committee, chart=chart, rows=steps_simple())
    assert list(chart.steps.values_list("number", "kind")) == [
        (1, "start"),
        (2, "decision"),
        (3, "process"),
        (4, "process"),
        (5, "end"),
    ]
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "duties.flowchart.steps_set" and audit_count() == before + 1
    assert "2.判断：材料是否齐全（受理岗），是→4，否→3" in entry.changes["steps"][1]
    services.flowchart_set_steps(actor=None, chart=chart, rows=steps_simple())
    assert audit_count() == before + 1  # unchanged: no entry
    with pytest.raises(ConcurrentEditError):
        services.flowchart_set_steps(actor=None, chart=chart, rows=steps_simple()[:1], expected_version=1)


def test_measures_follow_their_risk_point(bureau):
    point = services.post_risk_create(
        actor=None, data={"department": bureau.office, "post": "机要岗", "risk": "失泄密", "level": "中"}
    )
    measure = services.measure_create(actor=None, data={"risk_point": point, "measure": "保密检查"})
    other = services.measure_create(actor=None, data={"risk_point": point, "measure": "专人保管"})
    services.record_delete(actor=None, obj=measure)
    services.record_delete(actor=None, obj=point)
    committee = bureau.users.committee
    assert not policy_for(ControlMeasure).visible(committee).filter(pk=other.pk).exists()  # hidden with its risk point
    with pytest.raises(ValidationError, match="请先恢复岗位风险点"):
        services.record_restore(actor=None, obj=ControlMeasure.all_objects.get(pk=measure.pk))


def test_children_follow_their_parent_to_the_recycle_bin_and_back(bureau):
    it = item(bureau)
    for code in ("2022Q1", "2022Q2"):
        services.evidence_add(actor=None, data={"item": it, "period_code": code, "note": "召开专题会"})
    services.record_delete(actor=None, obj=it)
    assert not ResponsibilityEvidence.objects.exists()
    assert (
        ResponsibilityEvidence.all_objects.filter(deleted_at=ResponsibilityItem.all_objects.get().deleted_at).count()
        == 2
    )
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "duties.item.deleted" and entry.changes["children"] == [None, "落实佐证2条一并移入回收站"]
    services.record_restore(actor=None, obj=ResponsibilityItem.all_objects.get())
    assert ResponsibilityEvidence.objects.count() == 2
    assert AuditEntry.objects.latest("id").changes["children"] == [None, "落实佐证2条一并恢复"]
