"""The rectification workflow: every transition, the forbidden ones, deadlines in calendar and
working days, urgency, extensions, closure only by the committee, and the audit trail."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEntry, TrackedItem, TrackedTransition
from core.tracking import urgency
from supervision import selectors, services
from supervision.models import ExtensionStatus, Problem, ProblemSource, ProblemStatus
from supervision.tests.conftest import walk_to_closed

pytestmark = pytest.mark.django_db
D = datetime.date


def actions_of(problem) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(problem.pk), action__startswith="supervision.problem.")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


# ---------------------------------------------------------------------- creation and deadlines


def test_create_registers_a_pending_problem_with_its_tracked_item(bureau, make_problem):
    p = make_problem(found_on=D(2024, 3, 1), duration=30, responsible_person=bureau.sec1_person)
    assert p.status == ProblemStatus.PENDING and p.due_on == D(2024, 3, 31)
    assert p.org_path == bureau.b1.path
    item = p.tracked_item
    assert item.kind == "supervision.problem" and item.status == "pending" and item.due_on == p.due_on
    assert item.object_id == str(p.pk) and item.owner == bureau.users.sec1  # the responsible person's account
    assert actions_of(p) == ["supervision.problem.created"]
    entry = AuditEntry.objects.get(action="supervision.problem.created", object_id=str(p.pk))
    assert entry.actor == bureau.users.committee and entry.organization == bureau.b1
    assert entry.changes["description"] == [None, "三会一课记录不规范"]


def test_working_day_deadline_skips_the_national_holiday(make_problem):
    # 2024-09-30 (Mon) + 3 working days: 10-01..10-07 is the National Day holiday, 10-08 works.
    p = make_problem(found_on=D(2024, 9, 30), duration=3, mode="working")
    assert p.due_on == D(2024, 10, 10)
    assert p.tracked_item.deadline_mode == "working" and p.tracked_item.duration == 3
    # 调休: Saturday 2024-10-12 is a working day.
    p2 = make_problem(found_on=D(2024, 10, 11), duration=1, mode="working", description="另一个问题")
    assert p2.due_on == D(2024, 10, 12)
    entry = AuditEntry.objects.get(action="supervision.problem.created", object_id=str(p.pk))
    assert "3个工作日" in entry.changes["due_on"][1]


def test_default_deadline_comes_from_the_rule(make_problem):
    from core.models import Rule

    p = make_problem(found_on=D(2024, 3, 1))
    assert p.due_on == D(2024, 3, 31)  # supervision.deadline_days = 30
    Rule.objects.filter(code="supervision.deadline_days").update(value=10)
    assert make_problem(found_on=D(2024, 3, 1), description="另一个").due_on == D(2024, 3, 11)


def test_explicit_deadline_and_bad_input(bureau, make_problem, inspection):
    assert make_problem(found_on=D(2024, 3, 1), deadline=D(2024, 5, 1)).due_on == D(2024, 5, 1)
    with pytest.raises(ValidationError) as exc:
        make_problem(found_on=D(2024, 3, 1), deadline=D(2024, 2, 1))
    assert "整改时限不能早于发现日期" in str(exc.value)
    with pytest.raises(ValidationError, match="须选择督导检查"):
        make_problem(source=ProblemSource.INSPECTION)
    with pytest.raises(ValidationError, match="问题描述"):
        make_problem(description="  ")
    assert Problem.objects.count() == 1 and TrackedItem.objects.count() == 1  # nothing else written


def test_findings_become_problems_in_one_step(bureau, inspection):
    created = services.problems_create_from_findings(
        actor=bureau.users.committee,
        lines=["1. 三会一课记录不规范", "", "2、党员发展档案不齐全  "],
        data={
            "source": ProblemSource.INSPECTION,
            "inspection": inspection,
            "organization": bureau.b2,
            "found_on": D(2022, 5, 27),
        },
        deadline=D(2022, 7, 31),
    )
    assert [p.description for p in created] == ["三会一课记录不规范", "党员发展档案不齐全"]
    assert all(p.inspection == inspection and p.organization == bureau.b2 for p in created)
    with pytest.raises(ValidationError, match="每行一条"):
        services.problems_create_from_findings(
            actor=bureau.users.committee, lines=[" "], data={"source": ProblemSource.SELF_INSPECTION}
        )


# ---------------------------------------------------------------------- the workflow


def test_every_transition_from_finding_to_closure_with_a_return(bureau, make_problem):
    p = make_problem(found_on=D(2024, 3, 1), deadline=D(2024, 4, 30))
    sec1, committee = bureau.users.sec1, bureau.users.committee

    p = services.problem_start(actor=sec1, problem=p)
    assert p.status == ProblemStatus.IN_PROGRESS
    services.problem_report_progress(actor=sec1, problem=p, content="已修订会议记录制度", reported_on=D(2024, 3, 20))
    p = services.problem_apply_closure(actor=sec1, problem=p, note="已整改完成")
    assert p.status == ProblemStatus.APPLIED
    p = services.problem_return(actor=committee, problem=p, reason="佐证材料不足")
    assert p.status == ProblemStatus.IN_PROGRESS  # 退回
    p = services.problem_apply_closure(actor=sec1, problem=p, note="已补充佐证材料")
    p = services.problem_close(actor=committee, problem=p, verification="经核实整改到位", closed_on=D(2024, 4, 25))
    assert p.status == ProblemStatus.CLOSED and p.closed_on == D(2024, 4, 25) and p.closed_on_time
    assert p.verification == "经核实整改到位"

    item = TrackedItem.objects.get(pk=p.tracked_item_id)
    assert item.status == "closed" and item.closed_at is not None
    steps = list(TrackedTransition.objects.filter(item=item).values_list("from_status", "to_status", "reason"))
    assert steps == [
        ("", "pending", "创建"),
        ("pending", "in_progress", ""),
        ("in_progress", "applied", "已整改完成"),
        ("applied", "in_progress", "佐证材料不足"),
        ("in_progress", "applied", "已补充佐证材料"),
        ("applied", "closed", "经核实整改到位"),
    ]
    assert actions_of(p) == [
        "supervision.problem.created",
        "supervision.problem.started",
        "supervision.problem.progress_reported",
        "supervision.problem.applied",
        "supervision.problem.returned",
        "supervision.problem.applied",
        "supervision.problem.closed",
    ]
    returned = AuditEntry.objects.get(action="supervision.problem.returned", object_id=str(p.pk))
    assert returned.actor == committee and returned.changes["status"] == ["申请销号", "整改中"]
    assert returned.changes["reason"] == [None, "佐证材料不足"]


def test_first_progress_report_starts_the_rectification(bureau, make_problem):
    p = make_problem(found_on=D(2024, 3, 1))
    services.problem_report_progress(actor=bureau.users.sec1, problem=p, content="开始整改", reported_on=D(2024, 3, 2))
    p.refresh_from_db()
    assert p.status == ProblemStatus.IN_PROGRESS and p.progress.count() == 1


@pytest.mark.parametrize(
    "setup,call,message",
    [
        ("pending", "close", "不能变更为"),  # 待整改 → 已销号
        ("pending", "apply", "申请销号前请先报告整改进展"),
        ("in_progress", "close", "不能变更为"),  # must apply first
        ("in_progress", "return", "不能退回"),
        ("in_progress", "start", "不能变更为"),
        ("closed", "start", "不能变更为"),
        ("closed", "return", "不能退回"),
        ("closed", "apply", "不能变更为"),
        ("closed", "progress", "已销号"),
        ("applied", "progress", "等待审核"),
        ("applied", "apply", "不能变更为"),
    ],
)
def test_forbidden_transitions_change_nothing(bureau, make_problem, setup, call, message):
    p = make_problem(found_on=D(2024, 3, 1))
    if setup in ("in_progress", "applied"):
        services.problem_report_progress(actor=bureau.users.sec1, problem=p, content="进展", reported_on=D(2024, 3, 2))
        p.refresh_from_db()
    if setup == "applied":
        p = services.problem_apply_closure(actor=bureau.users.sec1, problem=p, note="完成")
    if setup == "closed":
        p = walk_to_closed(p, bureau)
    before = (p.status, p.version, AuditEntry.objects.count(), TrackedTransition.objects.count())
    committee = bureau.users.committee
    calls = {
        "close": lambda: services.problem_close(actor=committee, problem=p, verification="验收"),
        "apply": lambda: services.problem_apply_closure(actor=committee, problem=p, note="完成"),
        "return": lambda: services.problem_return(actor=committee, problem=p, reason="退回"),
        "start": lambda: services.problem_start(actor=committee, problem=p),
        "progress": lambda: services.problem_report_progress(actor=committee, problem=p, content="再报"),
    }
    with pytest.raises(ValidationError, match=message):
        calls[call]()
    p.refresh_from_db()
    assert (p.status, p.version, AuditEntry.objects.count(), TrackedTransition.objects.count()) == before


def test_required_texts(bureau, make_problem):
    p = make_problem(found_on=D(2024, 3, 1))
    services.problem_report_progress(actor=bureau.users.sec1, problem=p, content="进展", reported_on=D(2024, 3, 2))
    with pytest.raises(ValidationError, match="整改完成情况"):
        services.problem_apply_closure(actor=bureau.users.sec1, problem=p, note=" ")
    p = services.problem_apply_closure(actor=bureau.users.sec1, problem=p, note="完成")
    with pytest.raises(ValidationError, match="验收意见"):
        services.problem_close(actor=bureau.users.committee, problem=p, verification="")
    with pytest.raises(ValidationError, match="退回须填写理由"):
        services.problem_return(actor=bureau.users.committee, problem=p, reason="")
    with pytest.raises(ValidationError, match="请填写整改进展"):
        services.problem_report_progress(actor=bureau.users.sec1, problem=p, content="")


@pytest.mark.parametrize("who", ["sec1", "sec2", "leader", "discipline", "member"])
def test_only_the_committee_closes_returns_and_approves(bureau, make_problem, who):
    p = make_problem(found_on=D(2024, 3, 1))
    services.problem_report_progress(actor=bureau.users.sec1, problem=p, content="进展", reported_on=D(2024, 3, 2))
    p.refresh_from_db()
    p = services.problem_apply_closure(actor=bureau.users.sec1, problem=p, note="完成")
    request = services.problem_request_extension(
        actor=bureau.users.sec1, problem=p, new_due_on=p.due_on + datetime.timedelta(days=10), reason="需延期"
    )
    actor = getattr(bureau.users, who)
    with pytest.raises(PermissionDenied):
        services.problem_close(actor=actor, problem=p, verification="验收合格")
    with pytest.raises(PermissionDenied):
        services.problem_return(actor=actor, problem=p, reason="退回")
    with pytest.raises(PermissionDenied):
        services.problem_decide_extension(actor=actor, request=request, approve=True)
    p.refresh_from_db()
    assert p.status == ProblemStatus.APPLIED
    # The system administrator may, like the committee administrator.
    assert services.problem_close(actor=bureau.users.admin, problem=p, verification="合格").status == "closed"


# ---------------------------------------------------------------------- urgency and extensions


def test_urgency_yellow_before_red_after(bureau, make_problem):
    p = make_problem(found_on=D(2024, 3, 1), deadline=D(2024, 3, 20))
    yellow = 3  # tracking.yellow_days_before
    assert selectors.urgency_of(p, D(2024, 3, 10), yellow) == "ok"
    assert selectors.urgency_of(p, D(2024, 3, 17), yellow) == "due"
    assert selectors.urgency_of(p, D(2024, 3, 20), yellow) == "due"
    assert selectors.urgency_of(p, D(2024, 3, 21), yellow) == "overdue"
    # The shared mechanism agrees.
    assert urgency(p.tracked_item, D(2024, 3, 21)) == "overdue" and urgency(p.tracked_item, D(2024, 3, 17)) == "due"
    closed = walk_to_closed(p, bureau, closed_on=D(2024, 3, 25))
    assert selectors.urgency_of(closed, D(2024, 4, 1), yellow) == "closed" and closed.closed_on_time is False
    for name, expected in (("overdue", 0), ("closed", 1)):
        qs = Problem.objects.filter(selectors.urgency_q(name, D(2024, 4, 1), yellow))
        assert qs.count() == expected


def test_extension_request_and_approval_move_the_deadline(bureau, make_problem):
    p = make_problem(found_on=D(2024, 3, 1), deadline=D(2024, 3, 31))
    with pytest.raises(ValidationError, match="应晚于原整改时限"):
        services.problem_request_extension(actor=bureau.users.sec1, problem=p, new_due_on=D(2024, 3, 30), reason="x")
    request = services.problem_request_extension(
        actor=bureau.users.sec1, problem=p, new_due_on=D(2024, 4, 30), reason="需协调上级部门"
    )
    with pytest.raises(ValidationError, match="已有待审批"):
        services.problem_request_extension(actor=bureau.users.sec1, problem=p, new_due_on=D(2024, 5, 30), reason="y")
    p.refresh_from_db()
    assert p.due_on == D(2024, 3, 31)  # not before approval
    services.problem_decide_extension(actor=bureau.users.committee, request=request, approve=True, note="同意")
    p.refresh_from_db()
    request.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED and request.decided_by == bureau.users.committee
    assert p.due_on == D(2024, 4, 30) and p.tracked_item.due_on == D(2024, 4, 30)
    extended = AuditEntry.objects.get(action="core.tracked_item.extended", object_id=str(p.tracked_item_id))
    assert extended.changes["due_on"] == ["2024-03-31", "2024-04-30"]
    approved = AuditEntry.objects.get(action="supervision.problem.extension_approved", object_id=str(p.pk))
    assert approved.changes["due_on"] == ["2024-03-31", "2024-04-30"] and approved.actor == bureau.users.committee
    with pytest.raises(ValidationError, match="已经审批"):
        services.problem_decide_extension(actor=bureau.users.committee, request=request, approve=False, note="x")


def test_extension_rejection_needs_a_reason_and_keeps_the_deadline(bureau, make_problem):
    p = make_problem(found_on=D(2024, 3, 1), deadline=D(2024, 3, 31))
    request = services.problem_request_extension(
        actor=bureau.users.sec1, problem=p, new_due_on=D(2024, 4, 30), reason="需要"
    )
    with pytest.raises(ValidationError, match="须填写理由"):
        services.problem_decide_extension(actor=bureau.users.committee, request=request, approve=False)
    services.problem_decide_extension(actor=bureau.users.committee, request=request, approve=False, note="理由不充分")
    p.refresh_from_db()
    assert p.due_on == D(2024, 3, 31) and request.__class__.objects.get(pk=request.pk).status == "rejected"


def test_update_only_while_open(bureau, make_problem):
    p = make_problem(found_on=D(2024, 3, 1))
    p = services.problem_update(actor=bureau.users.sec1, problem=p, data={"measures": "每月检查"})
    assert p.measures == "每月检查" and p.version == 2
    entry = AuditEntry.objects.get(action="supervision.problem.updated", object_id=str(p.pk))
    assert entry.changes["measures"] == ["", "每月检查"]
    with pytest.raises(ValidationError):
        services.problem_update(actor=bureau.users.sec1, problem=p, data={"organization": bureau.b2})
    p = walk_to_closed(p, bureau)
    with pytest.raises(ValidationError, match="已销号"):
        services.problem_update(actor=bureau.users.committee, problem=p, data={"measures": "改"})


# ---------------------------------------------------------------------- inspections and reports


def test_inspection_validation_and_audit(bureau, inspection):
    assert inspection.methods == "documents,forum" and inspection.methods_label == "查阅资料、座谈"
    entry = AuditEntry.objects.get(action="supervision.inspection.created", object_id=str(inspection.pk))
    assert entry.changes["targets"] == [None, "机关第一党支部、机关第二党支部"]
    with pytest.raises(ValidationError, match="不在其中"):
        services.inspection_create(
            actor=bureau.users.sec1,
            data={"name": "x", "organization": bureau.b1, "methods": ["field"], "start_on": D(2024, 1, 1)},
            targets=[bureau.b2],
        )
    with pytest.raises(ValidationError, match="未知的检查方式"):
        services.normalize_methods(["field", "ufo"])
    updated = services.inspection_update(
        actor=bureau.users.committee, inspection=inspection, data={"methods": ["field"]}, targets=[bureau.b1]
    )
    assert list(updated.targets.all()) == [bureau.b1]
    entry = AuditEntry.objects.get(action="supervision.inspection.updated", object_id=str(inspection.pk))
    assert entry.changes["methods"] == ["查阅资料、座谈", "实地"]


def test_visits_and_deleting_an_inspection(bureau, inspection, make_problem):
    visit = services.visit_add(
        actor=bureau.users.committee,
        inspection=inspection,
        organization=bureau.b1,
        visited_on=D(2022, 4, 20),
        method="field",
    )
    assert visit.org_path == bureau.b1.path
    with pytest.raises(ValidationError, match="不是本次督导检查"):
        services.visit_add(
            actor=bureau.users.committee,
            inspection=inspection,
            organization=bureau.root,
            visited_on=D(2022, 4, 20),
            method="field",
        )
    make_problem(source=ProblemSource.INSPECTION, inspection=inspection, found_on=D(2022, 5, 27))
    with pytest.raises(ValidationError, match="已登记反馈问题"):
        services.inspection_delete(actor=bureau.users.committee, inspection=inspection)


def test_secretary_report_rules(bureau):
    data = {
        "organization": bureau.b1,
        "secretary": bureau.sec1_person,
        "year": 2021,
        "held_on": D(2022, 1, 25),
        "rating_excellent": 20,
        "rating_good": 8,
        "rating_fair": 2,
    }
    report = services.report_create(actor=bureau.users.committee, data=data)
    assert report.votes == 30 and report.approval_rate == 93.3
    with pytest.raises(ValidationError, match="已经登记"):
        services.report_create(actor=bureau.users.committee, data=data)
    with pytest.raises(ValidationError, match="述职书记应为"):
        services.report_create(actor=bureau.users.committee, data={**data, "secretary": bureau.wang, "year": 2022})
    with pytest.raises(ValidationError, match="当年或上一年"):
        services.report_create(actor=bureau.users.committee, data={**data, "year": 2019})
    # Problems of a report stay within its branch.
    with pytest.raises(ValidationError, match="负责整改"):
        services.problem_create(
            actor=bureau.users.committee,
            data={
                "source": ProblemSource.SECRETARY_REPORT,
                "secretary_report": report,
                "organization": bureau.b2,
                "description": "x",
                "found_on": D(2022, 1, 25),
            },
        )


def test_meeting_answers_an_inspection(bureau, inspection):
    from meetings import services as meeting_services

    meeting = meeting_services.meeting_create(
        actor=bureau.users.committee,
        data={
            "organization": bureau.root,
            "kind": "organ_member_assembly",
            "held_on": D(2022, 6, 24),
            "topic": "督导检查反馈问题整改工作会议",
        },
    )
    linked = services.meeting_set_responds_to(actor=bureau.users.committee, meeting=meeting, inspection=inspection)
    assert linked.responds_to == inspection and linked.version == meeting.version + 1
    assert list(selectors.meetings_responding(bureau.users.committee, inspection)) == [linked]
    assert list(selectors.meetings_responding(bureau.users.sec1, inspection)) == []  # the root's meeting
    entry = AuditEntry.objects.get(action="supervision.meeting.linked")
    assert entry.object_id == str(meeting.pk) and entry.changes["responds_to"] == [None, inspection.name]
    # Setting the same link again writes nothing.
    services.meeting_set_responds_to(actor=bureau.users.committee, meeting=linked, inspection=inspection)
    assert AuditEntry.objects.filter(action="supervision.meeting.linked").count() == 1
