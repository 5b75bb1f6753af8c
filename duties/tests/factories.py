"""Records of every list of the area on the root conftest's `bureau`, through the services."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from duties import services
from duties.models import Frequency, LiaisonKind, RiskCategory, StepKind, Subject

D = datetime.date


def steps_simple() -> list[services.StepRow]:
    return [
        services.StepRow(1, "提出申请", StepKind.START, "经办人"),
        services.StepRow(2, "材料是否齐全", StepKind.DECISION, "受理岗", no_to=3, yes_to=4),
        services.StepRow(3, "一次性告知补正", StepKind.PROCESS, "受理岗", yes_to=1),
        services.StepRow(4, "审批", StepKind.PROCESS, "分管领导"),
        services.StepRow(5, "归档", StepKind.END, "受理岗"),
    ]


def make_world(b) -> SimpleNamespace:
    """Root items (党组, derived and entered), a branch-1 item, evidence, 一岗双责, a liaison of
    branch 1 with one activity, a risk, and a catalogue for 办公室 (branch 1) and 财务科 (branch 2)."""
    sys = None
    root_item = services.item_create(
        actor=sys,
        data={
            "organization": b.root,
            "subject": Subject.LEADING_GROUP,
            "content": "每季度召开党建工作专题会",
            "frequency": Frequency.QUARTER,
        },
    )
    b1_item = services.item_create(
        actor=sys,
        data={
            "organization": b.b1,
            "subject": Subject.BRANCH_SECRETARY,
            "content": "每季度讲1次党课",
            "frequency": Frequency.QUARTER,
        },
    )
    evidence = services.evidence_add(
        actor=sys,
        data={
            "item": root_item,
            "period_code": "2022Q1",
            "done_on": D(2022, 2, 18),
            "note": "2月18日召开党建工作专题会",
        },
    )
    b1_evidence = services.evidence_add(
        actor=sys, data={"item": b1_item, "period_code": "2022Q1", "note": "3月支部书记讲党课"}
    )
    dual = services.dual_create(
        actor=sys,
        data={
            "person": b.sec1_person,
            "organization": b.root,
            "areas": "分管办公室",
            "departments": [b.office],
            "duties": "督促办公室落实党风廉政建设责任",
            "valid_from": D(2022, 1, 1),
        },
    )
    liaison = services.liaison_create(
        actor=sys, data={"leader": b.sec1_person, "branch": b.b1, "start_on": D(2022, 7, 1)}
    )
    activity = services.activity_create(
        actor=sys,
        data={"liaison": liaison, "held_on": D(2022, 9, 15), "kind": LiaisonKind.RESEARCH, "content": "调研指导"},
    )
    risk = services.risk_create(
        actor=sys,
        data={
            "organization": b.root,
            "area": "文化旅游领域",
            "department": b.office,
            "post": "执法岗",
            "category": RiskCategory.PROCESS,
            "risk_point": "选择性执法",
            "manifestation": "处罚标准不一",
            "level": "高",
            "measures": "执法全过程记录",
            "responsible_person": "科长",
            "responsible_leader": "分管副局长",
        },
    )
    task = services.task_create(actor=sys, data={"department": b.office, "content": "负责公文处理"})
    finance_task = services.task_create(actor=sys, data={"department": b.finance, "content": "负责预算编制"})
    division = services.division_create(
        actor=sys, data={"lead_department": b.office, "matter": "会议筹备", "assisting_departments": [b.finance]}
    )
    chart = services.flowchart_create(actor=sys, data={"department": b.office, "name": "用印审批流程"})
    services.flowchart_set_steps(actor=sys, chart=chart, rows=steps_simple())
    finance_chart = services.flowchart_create(actor=sys, data={"department": b.finance, "name": "报销流程"})
    post_duty = services.post_duty_create(
        actor=sys, data={"department": b.office, "post": "文秘岗", "duty": "公文登记"}
    )
    post_risk = services.post_risk_create(
        actor=sys, data={"department": b.office, "post": "机要岗", "risk": "失泄密", "level": "中"}
    )
    measure = services.measure_create(actor=sys, data={"risk_point": post_risk, "measure": "保密检查"})
    return SimpleNamespace(
        root_item=root_item,
        b1_item=b1_item,
        evidence=evidence,
        b1_evidence=b1_evidence,
        dual=dual,
        liaison=liaison,
        activity=activity,
        risk=risk,
        task=task,
        finance_task=finance_task,
        division=division,
        chart=chart,
        finance_chart=finance_chart,
        post_duty=post_duty,
        post_risk=post_risk,
        measure=measure,
    )
