"""Every write of the supervision area. One audit entry of its own per service call.

Problems run on core.tracking: creating a problem creates its tracked item, and each status change
goes through `tracked_item_transition` (which logs the transition with actor and reason and writes
the tracked item's audit entry); the problem keeps copies of status, due date and closing date for
the ledger and writes its own audit entry (`supervision.problem.<verb>`), as orgs' handovers do.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import attachments as attachment_services
from core import audit
from core.concurrency import check_version
from core.events import record_changed
from core.models import TrackedItem
from core.rules import rule
from core.scope import ADMIN_ROLES, Scope
from core.services import restore, soft_delete
from core.tracking import (
    Workflow,
    register_workflow,
    tracked_item_create,
    tracked_item_extend,
    tracked_item_transition,
)
from core.workdays import compute_due
from orgs.models import Organization, Person
from supervision import summary
from supervision.models import (
    OPEN_STATUSES,
    ExtensionRequest,
    ExtensionStatus,
    Inspection,
    InspectionMethod,
    InspectionVisit,
    Problem,
    ProblemSource,
    ProblemStatus,
    ProgressReport,
    SecretaryReport,
)

A = audit.register_action
A("supervision.inspection.created", "登记督导检查")
A("supervision.inspection.updated", "修改督导检查")
A("supervision.inspection.deleted", "删除督导检查（移入回收站）")
A("supervision.inspection.visit_added", "登记检查记录")
A("supervision.inspection.visit_deleted", "删除检查记录")
A("supervision.meeting.linked", "关联督导检查")
A("supervision.report.created", "登记书记述职评议")
A("supervision.report.updated", "修改书记述职评议")
A("supervision.report.deleted", "删除书记述职评议（移入回收站）")
A("supervision.problem.created", "登记整改问题")
A("supervision.problem.updated", "修改整改问题")
A("supervision.problem.started", "开始整改")
A("supervision.problem.progress_reported", "报告整改进展")
A("supervision.problem.applied", "申请销号")
A("supervision.problem.closed", "销号")
A("supervision.problem.returned", "退回整改")
A("supervision.problem.extension_requested", "申请延期")
A("supervision.problem.extension_approved", "批准延期")
A("supervision.problem.extension_rejected", "不批准延期")
for _name, _label in (
    ("inspection", "督导检查"),
    ("visit", "检查记录"),
    ("secretary", "述职书记"),
    ("targets", "被检查党组织"),
    ("inspectors", "检查人员"),
    ("problems", "问题"),
    ("verification", "验收意见"),
    ("extension", "延期"),
    ("progress", "整改进展"),
    ("meeting", "会议"),
    ("responds_to", "响应的督导检查"),
):
    audit.register_field_label(_name, _label)

PROBLEM_KIND = "supervision.problem"
WORKFLOW = register_workflow(
    Workflow(
        kind=PROBLEM_KIND,
        label="问题整改",
        statuses=dict(ProblemStatus.choices),
        initial=ProblemStatus.PENDING,
        closed={ProblemStatus.CLOSED},
        transitions={
            ProblemStatus.PENDING: {ProblemStatus.IN_PROGRESS},
            ProblemStatus.IN_PROGRESS: {ProblemStatus.APPLIED},
            # 销号, or 退回 to the responsible organization.
            ProblemStatus.APPLIED: {ProblemStatus.CLOSED, ProblemStatus.IN_PROGRESS},
        },
        reason_required={ProblemStatus.APPLIED, ProblemStatus.CLOSED},
        url_name="supervision:problem_detail",
        own_reminders=True,  # supervision.reminders sends them set-based, with the 督办单
    )
)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _today() -> datetime.date:
    return timezone.localdate()


def require_committee(actor, organization: Organization, what: str) -> None:
    """销号、退回、批准延期 are for the committee: an administrator covering the organization.
    The system (actor None: demo, imports of history) may act too."""
    if actor is None:
        return
    if not Scope.of(actor).covers(organization, ADMIN_ROLES):
        raise PermissionDenied(f"只有机关党委（上级党组织管理员）可以{what}")


# ====================================================================== inspections

INSPECTION_FIELDS = [
    "name",
    "organization",
    "inspector_body",
    "methods",
    "start_on",
    "end_on",
    "summary",
    "feedback",
    "feedback_on",
]


def normalize_methods(methods: Iterable[str] | str) -> str:
    if isinstance(methods, str):
        methods = [m for m in methods.split(",") if m]
    values = list(dict.fromkeys(m.strip() for m in methods if m and m.strip()))
    unknown = [m for m in values if m not in InspectionMethod.values]
    if unknown:
        raise ValidationError({"methods": f"未知的检查方式：{'、'.join(unknown)}"})
    order = {v: i for i, v in enumerate(InspectionMethod.values)}
    return ",".join(sorted(values, key=order.get))


def validate_inspection(inspection: Inspection, targets: Sequence[Organization]) -> None:
    errors: dict[str, str] = {}
    if inspection.end_on and inspection.start_on and inspection.end_on < inspection.start_on:
        errors["end_on"] = "结束日期不能早于开始日期"
    if inspection.start_on and inspection.start_on > _today():
        errors["start_on"] = "开始日期不能晚于今天"
    if inspection.feedback_on and inspection.start_on and inspection.feedback_on < inspection.start_on:
        errors["feedback_on"] = "反馈日期不能早于检查开始日期"
    if inspection.feedback_on and inspection.feedback_on > _today():
        errors["feedback_on"] = "反馈日期不能晚于今天"
    if not targets:
        errors["targets"] = "请选择被检查的党组织"
    elif inspection.organization_id:
        outside = [t.name for t in targets if not t.path.startswith(inspection.organization.path)]
        if outside:
            errors["targets"] = (
                f"被检查党组织应为“{inspection.organization.name}”或其下级组织：{'、'.join(outside)}不在其中"
            )
    if errors:
        raise ValidationError(errors)


def _names(objs) -> str:
    return "、".join(o.name for o in objs)


def _save_version(locked, data: dict[str, Any], fields: Sequence[str], changes: dict) -> None:
    """Validate and save an edited inspection or report with the next version (recorded in `changes`)."""
    locked.full_clean(exclude=["org_path"])
    locked.version += 1
    changes["version"] = [locked.version - 1, locked.version]
    locked.save(update_fields=[*[k for k in data if k in fields], "org_path", "version"])


def inspection_create(
    *,
    actor,
    data: dict[str, Any],
    targets: Sequence[Organization],
    inspectors: Sequence[Person] = (),
) -> Inspection:
    data = {**data, "methods": normalize_methods(data.get("methods", ""))}
    inspection = Inspection(**data)
    validate_inspection(inspection, targets)
    inspection.org_path = inspection.organization.path
    inspection.created_by = _user(actor)
    with transaction.atomic():
        inspection.full_clean(exclude=["org_path"])
        inspection.save()
        inspection.targets.set(targets)
        inspection.inspectors.set(inspectors)
        changes = audit.diff({}, audit.snapshot(inspection, INSPECTION_FIELDS))
        changes["methods"] = [None, inspection.methods_label]
        changes["targets"] = [None, _names(targets)]
        if inspectors:
            changes["inspectors"] = [None, _names(inspectors)]
        audit.record(
            actor=actor,
            action="supervision.inspection.created",
            obj=inspection,
            organization=inspection.organization,
            changes=changes,
        )
    return inspection


def inspection_update(
    *,
    actor,
    inspection: Inspection,
    data: dict[str, Any],
    targets: Sequence[Organization] | None = None,
    inspectors: Sequence[Person] | None = None,
    expected_version: int | None = None,
) -> Inspection:
    if "methods" in data:
        data = {**data, "methods": normalize_methods(data["methods"])}
    with transaction.atomic():
        locked = Inspection.all_objects.select_for_update().get(pk=inspection.pk)
        check_version(locked, expected_version)
        before = audit.snapshot(locked, INSPECTION_FIELDS)
        before_methods = locked.methods_label
        old_targets = list(locked.targets.order_by("path"))
        old_inspectors = list(locked.inspectors.order_by("name"))
        for key, value in data.items():
            setattr(locked, key, value)
        new_targets = list(targets) if targets is not None else old_targets
        validate_inspection(locked, new_targets)
        locked.org_path = locked.organization.path
        changes = audit.diff(before, audit.snapshot(locked, INSPECTION_FIELDS))
        if "methods" in changes:
            changes["methods"] = [before_methods, locked.methods_label]
        if targets is not None and {t.pk for t in targets} != {t.pk for t in old_targets}:
            changes["targets"] = [_names(old_targets), _names(targets)]
        if inspectors is not None and {p.pk for p in inspectors} != {p.pk for p in old_inspectors}:
            changes["inspectors"] = [_names(old_inspectors), _names(inspectors)]
        if not changes:
            return locked
        _save_version(locked, data, INSPECTION_FIELDS, changes)
        if targets is not None:
            locked.targets.set(targets)
        if inspectors is not None:
            locked.inspectors.set(inspectors)
        audit.record(
            actor=actor,
            action="supervision.inspection.updated",
            obj=locked,
            organization=locked.organization,
            changes=changes,
        )
    return locked


def inspection_delete(*, actor, inspection: Inspection) -> Inspection:
    if Problem.objects.filter(inspection=inspection).exists():
        raise ValidationError("该督导检查已登记反馈问题，不能删除；如确需删除，请先处理相关问题")
    return soft_delete(actor=actor, instance=inspection, action="supervision.inspection.deleted")


def inspection_restore(*, actor, obj: Inspection) -> Inspection:
    return restore(actor=actor, instance=obj)


def visit_add(
    *,
    actor,
    inspection: Inspection,
    organization: Organization,
    visited_on: datetime.date,
    method: str,
    note: str = "",
) -> InspectionVisit:
    errors: dict[str, str] = {}
    if not inspection.targets.filter(pk=organization.pk).exists():
        errors["organization"] = f"“{organization.name}”不是本次督导检查的被检查党组织"
    if method not in InspectionMethod.values:
        errors["method"] = "请选择检查方式"
    if visited_on is None:
        errors["visited_on"] = "请填写检查日期"
    elif visited_on > _today():
        errors["visited_on"] = "检查日期不能晚于今天"
    elif visited_on < inspection.start_on:
        errors["visited_on"] = "检查日期不能早于督导检查开始日期"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = InspectionVisit.objects.create(
            inspection=inspection,
            organization=organization,
            org_path=organization.path,
            visited_on=visited_on,
            method=method,
            note=(note or "").strip()[:300],
        )
        audit.record(
            actor=actor,
            action="supervision.inspection.visit_added",
            obj=inspection,
            organization=inspection.organization,
            changes={"visit": [None, str(visit)]},
        )
    return visit


def visit_delete(*, actor, visit: InspectionVisit) -> None:
    with transaction.atomic():
        inspection = visit.inspection
        text = str(visit)
        visit.delete()
        audit.record(
            actor=actor,
            action="supervision.inspection.visit_deleted",
            obj=inspection,
            organization=inspection.organization,
            changes={"visit": [text, None]},
        )


def meeting_set_responds_to(*, actor, meeting, inspection: Inspection | None):
    """Record that a meeting (e.g. a 整改专题会议) answers an inspection's feedback, or clear it."""
    from meetings.services import meeting_set_responds_to as set_responds_to

    return set_responds_to(actor=actor, meeting=meeting, target=inspection, action="supervision.meeting.linked")


# ====================================================================== secretaries' reports

REPORT_FIELDS = [
    "organization",
    "secretary",
    "year",
    "held_on",
    "title",
    "report",
    "rating_excellent",
    "rating_good",
    "rating_fair",
    "rating_poor",
    "comments",
]


def validate_report(report: SecretaryReport) -> None:
    errors: dict[str, str] = {}
    if report.held_on and report.held_on > _today():
        errors["held_on"] = "述职大会日期不能晚于今天"
    if report.year and report.held_on and not (report.held_on.year - 1 <= report.year <= report.held_on.year):
        errors["year"] = "述职年度应为述职大会当年或上一年"
    if (
        report.organization_id
        and report.secretary_id
        and not report.secretary.org_path.startswith(report.organization.path)
    ):
        errors["secretary"] = f"述职书记应为“{report.organization.name}”的人员"
    if report.organization_id and report.secretary_id and report.year:
        clash = SecretaryReport.objects.filter(
            organization=report.organization, secretary=report.secretary, year=report.year
        ).exclude(pk=report.pk)
        if clash.exists():
            errors["year"] = f"{report.secretary.name}的{report.year}年度述职已经登记"
    if errors:
        raise ValidationError(errors)


def report_create(*, actor, data: dict[str, Any]) -> SecretaryReport:
    report = SecretaryReport(**data)
    validate_report(report)
    report.org_path = report.organization.path
    report.created_by = _user(actor)
    with transaction.atomic():
        report.full_clean(exclude=["org_path"])
        report.save()
        audit.record(
            actor=actor,
            action="supervision.report.created",
            obj=report,
            organization=report.organization,
            changes=audit.diff({}, audit.snapshot(report, REPORT_FIELDS)),
        )
    return report


def report_update(
    *, actor, report: SecretaryReport, data: dict[str, Any], expected_version: int | None = None
) -> SecretaryReport:
    with transaction.atomic():
        locked = SecretaryReport.all_objects.select_for_update().get(pk=report.pk)
        check_version(locked, expected_version)
        before = audit.snapshot(locked, REPORT_FIELDS)
        for key, value in data.items():
            setattr(locked, key, value)
        validate_report(locked)
        locked.org_path = locked.organization.path
        changes = audit.diff(before, audit.snapshot(locked, REPORT_FIELDS))
        if not changes:
            return locked
        _save_version(locked, data, REPORT_FIELDS, changes)
        audit.record(
            actor=actor,
            action="supervision.report.updated",
            obj=locked,
            organization=locked.organization,
            changes=changes,
        )
    return locked


def report_delete(*, actor, report: SecretaryReport) -> SecretaryReport:
    if Problem.objects.filter(secretary_report=report).exists():
        raise ValidationError("该述职已登记查摆问题，不能删除；如确需删除，请先处理相关问题")
    return soft_delete(actor=actor, instance=report, action="supervision.report.deleted")


def report_restore(*, actor, obj: SecretaryReport) -> SecretaryReport:
    def validate(locked):
        clash = SecretaryReport.objects.filter(
            organization=locked.organization, secretary=locked.secretary, year=locked.year
        )
        if clash.exists():
            raise ValidationError(f"{locked.secretary.name}的{locked.year}年度述职已重新登记，不能恢复")

    return restore(actor=actor, instance=obj, validate=validate)


# ====================================================================== problems

PROBLEM_FIELDS = [
    "source",
    "inspection",
    "secretary_report",
    "meeting",
    "source_note",
    "organization",
    "description",
    "measures",
    "responsible_person",
    "responsible_leader",
    "found_on",
    "due_on",
]
EDITABLE_FIELDS = ["description", "measures", "responsible_person", "responsible_leader", "source_note"]


def default_deadline_days(year: int) -> int:
    return int(rule("supervision.deadline_days", year, default=30))


def due_date(found_on: datetime.date, *, deadline=None, duration=None, mode=TrackedItem.DEADLINE_CALENDAR):
    """The deadline: an explicit date, or `duration` days (calendar or working) after discovery,
    or the rule's default number of days."""
    if deadline is not None:
        return deadline
    if duration is None:
        duration = default_deadline_days(found_on.year)
    return compute_due(found_on, int(duration), mode)


def validate_problem(problem: Problem) -> None:
    errors: dict[str, str] = {}
    source = problem.source
    if source not in ProblemSource.values:
        errors["source"] = "请选择问题来源"
    if source == ProblemSource.INSPECTION and problem.inspection_id is None:
        errors["inspection"] = "督导检查发现的问题须选择督导检查"
    if source != ProblemSource.INSPECTION and problem.inspection_id is not None:
        errors["inspection"] = "只有来源为督导检查的问题才关联督导检查"
    if source == ProblemSource.SECRETARY_REPORT and problem.secretary_report_id is None:
        errors["secretary_report"] = "述职评议查摆的问题须选择书记述职"
    if source != ProblemSource.SECRETARY_REPORT and problem.secretary_report_id is not None:
        errors["secretary_report"] = "只有来源为书记述职评议的问题才关联述职"
    if source != ProblemSource.DEMOCRATIC_LIFE and problem.meeting_id is not None:
        errors["meeting"] = "只有民主生活会/组织生活会查摆的问题才关联会议"
    org = problem.organization if problem.organization_id else None
    if org is not None:
        if problem.inspection_id and not org.path.startswith(problem.inspection.organization.path):
            errors["organization"] = "责任党组织应在组织检查的党组织范围内"
        if problem.secretary_report_id and not org.path.startswith(problem.secretary_report.organization.path):
            errors["organization"] = f"述职查摆的问题应由“{problem.secretary_report.organization.name}”负责整改"
    if not (problem.description or "").strip():
        errors["description"] = "请填写问题描述"
    if problem.found_on and problem.found_on > _today():
        errors["found_on"] = "发现日期不能晚于今天"
    if problem.found_on and problem.due_on and problem.due_on < problem.found_on:
        errors["due_on"] = "整改时限不能早于发现日期"
    if errors:
        raise ValidationError(errors)


def problem_create(
    *,
    actor,
    data: dict[str, Any],
    deadline: datetime.date | None = None,
    duration: int | None = None,
    deadline_mode: str = TrackedItem.DEADLINE_CALENDAR,
) -> Problem:
    """Register a problem in the ledger (待整改) with its tracked item.

    The deadline is `deadline` (a date), or `duration` days after `found_on` counted in calendar or
    working days (`deadline_mode`), or the rule supervision.deadline_days."""
    data = dict(data)
    if data.get("found_on") is None:
        data["found_on"] = _today()
    if deadline_mode not in (TrackedItem.DEADLINE_CALENDAR, TrackedItem.DEADLINE_WORKING):
        raise ValidationError({"deadline_mode": "期限计算方式无效"})
    if duration is not None and int(duration) < 1:
        raise ValidationError({"due_on": "整改期限应至少1天"})
    data["due_on"] = due_date(data["found_on"], deadline=deadline, duration=duration, mode=deadline_mode)
    problem = Problem(**data)
    validate_problem(problem)
    problem.org_path = problem.organization.path
    problem.status = ProblemStatus.PENDING
    problem.created_by = _user(actor)
    with transaction.atomic():
        problem.full_clean(exclude=["org_path", "tracked_item"])
        problem.save()
        if deadline is not None:
            mode, days = TrackedItem.DEADLINE_CALENDAR, (deadline - problem.found_on).days
        else:
            mode = deadline_mode
            days = int(duration) if duration is not None else default_deadline_days(problem.found_on.year)
        owner = getattr(problem.responsible_person, "user", None) if problem.responsible_person_id else None
        item = tracked_item_create(
            actor=actor,
            kind=PROBLEM_KIND,
            title=problem.title,
            organization=problem.organization,
            start_on=problem.found_on,
            duration=days,
            deadline_mode=mode,
            owner=owner,
            subject=problem,
        )
        problem.tracked_item = item
        problem.save(update_fields=["tracked_item"])
        changes = audit.diff({}, audit.snapshot(problem, PROBLEM_FIELDS))
        if mode == TrackedItem.DEADLINE_WORKING:
            changes["due_on"] = [None, f"{problem.due_on.isoformat()}（{days}个工作日）"]
        audit.record(
            actor=actor,
            action="supervision.problem.created",
            obj=problem,
            organization=problem.organization,
            changes=changes,
        )
        summary.changed(None, problem)
        record_changed(problem)
    return problem


def problems_create_from_findings(
    *,
    actor,
    lines: Iterable[str],
    data: dict[str, Any],
    deadline: datetime.date | None = None,
    duration: int | None = None,
    deadline_mode: str = TrackedItem.DEADLINE_CALENDAR,
) -> list[Problem]:
    """One problem per non-empty line (an inspection's findings, a report's problems), all or none."""
    texts = [line.strip().lstrip("0123456789.、．）) ").strip() for line in lines]
    texts = [t for t in texts if t]
    if not texts:
        raise ValidationError({"findings": "请填写问题，每行一条"})
    with transaction.atomic():
        return [
            problem_create(
                actor=actor,
                data={**data, "description": text},
                deadline=deadline,
                duration=duration,
                deadline_mode=deadline_mode,
            )
            for text in texts
        ]


def _lock(problem: Problem, expected_version: int | None = None) -> Problem:
    locked = Problem.objects.select_for_update().select_related("organization").get(pk=problem.pk)
    check_version(locked, expected_version)
    return locked


def problem_update(*, actor, problem: Problem, data: dict[str, Any], expected_version: int | None = None) -> Problem:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改：{'、'.join(sorted(unknown))}")
    with transaction.atomic():
        locked = _lock(problem, expected_version)
        if not locked.is_open:
            raise ValidationError("问题已销号，不能再修改")
        counted = summary.state(locked)
        before = audit.snapshot(locked, EDITABLE_FIELDS)
        for key, value in data.items():
            setattr(locked, key, value)
        validate_problem(locked)
        changes = audit.diff(before, audit.snapshot(locked, EDITABLE_FIELDS))
        if not changes:
            return locked
        locked.full_clean(exclude=["org_path", "tracked_item"])
        locked.version += 1
        changes["version"] = [locked.version - 1, locked.version]
        locked.save(update_fields=[*data.keys(), "version"])
        audit.record(
            actor=actor,
            action="supervision.problem.updated",
            obj=locked,
            organization=locked.organization,
            changes=changes,
        )
        summary.changed(counted, locked)  # nothing the summary counts is editable: no write
        record_changed(locked)
    return locked


def _transition(
    *,
    actor,
    problem: Problem,
    to_status: str,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
    closed_on: datetime.date | None = None,
    verification: str | None = None,
) -> Problem:
    """Change the status on the tracked item (which checks the transition table) and on the problem."""
    with transaction.atomic():
        locked = _lock(problem, expected_version)
        before = summary.state(locked)
        old = locked.status
        item = TrackedItem.objects.get(pk=locked.tracked_item_id)
        tracked_item_transition(actor=actor, item=item, to_status=to_status, reason=reason)
        locked.status = to_status
        fields = ["status", "version"]
        changes: dict[str, list] = {"status": [WORKFLOW.label_of(old), WORKFLOW.label_of(to_status)]}
        if reason:
            changes["reason"] = [None, reason]
        if to_status == ProblemStatus.CLOSED:
            locked.closed_on = closed_on or _today()
            locked.verification = verification or reason
            fields += ["closed_on", "verification"]
            changes["closed_on"] = [None, locked.closed_on.isoformat()]
        locked.version += 1
        changes["version"] = [locked.version - 1, locked.version]
        locked.save(update_fields=fields)
        audit.record(actor=actor, action=action, obj=locked, organization=locked.organization, changes=changes)
        summary.changed(before, locked)
        record_changed(locked)
    return locked


def problem_start(*, actor, problem: Problem, note: str = "", expected_version: int | None = None) -> Problem:
    """待整改 → 整改中 (the responsible organization has begun)."""
    return _transition(
        actor=actor,
        problem=problem,
        to_status=ProblemStatus.IN_PROGRESS,
        action="supervision.problem.started",
        reason=(note or "").strip(),
        expected_version=expected_version,
    )


def problem_report_progress(
    *,
    actor,
    problem: Problem,
    content: str,
    reported_on: datetime.date | None = None,
    files: Sequence = (),
) -> ProgressReport:
    """整改进展 with evidence files. A problem still 待整改 moves to 整改中 with its first report.

    The files become attachments of the progress report (core.attachments, each with its own
    audit entry), so they are downloaded only through the permission-checked download."""
    content = (content or "").strip()
    reported_on = reported_on or _today()
    if not content:
        raise ValidationError({"content": "请填写整改进展"})
    if reported_on > _today():
        raise ValidationError({"reported_on": "报告日期不能晚于今天"})
    for f in files:
        try:
            attachment_services.validate_upload(f)
        except ValidationError as exc:
            raise ValidationError({"files": exc.messages}) from None
    with transaction.atomic():
        locked = _lock(problem)
        if locked.status == ProblemStatus.CLOSED:
            raise ValidationError("问题已销号，不能再报告进展")
        if locked.status == ProblemStatus.APPLIED:
            raise ValidationError("已申请销号，正在等待审核；如被退回，可继续报告进展")
        if locked.status == ProblemStatus.PENDING:
            locked = problem_start(actor=actor, problem=locked, note="报告整改进展")
        report = ProgressReport.objects.create(
            problem=locked, reported_on=reported_on, content=content, reported_by=_user(actor)
        )
        names = [
            attachment_services.attachment_add(actor=actor, subject=report, uploaded_file=f).original_name
            for f in files
        ]
        changes = {"progress": [None, content[:200]]}
        if names:
            changes["附件"] = [None, "、".join(names)]
        audit.record(
            actor=actor,
            action="supervision.problem.progress_reported",
            obj=locked,
            organization=locked.organization,
            changes=changes,
        )
    return report


def problem_apply_closure(*, actor, problem: Problem, note: str, expected_version: int | None = None) -> Problem:
    """整改中 → 申请销号, with what was done (required)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "申请销号须说明整改完成情况"})
    if not ProgressReport.objects.filter(problem=problem).exists():
        raise ValidationError("申请销号前请先报告整改进展并上传佐证材料")
    return _transition(
        actor=actor,
        problem=problem,
        to_status=ProblemStatus.APPLIED,
        action="supervision.problem.applied",
        reason=note,
        expected_version=expected_version,
    )


def problem_close(
    *,
    actor,
    problem: Problem,
    verification: str,
    closed_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Problem:
    """申请销号 → 已销号: the committee verifies and closes (验收意见 required)."""
    require_committee(actor, problem.organization, "销号")
    verification = (verification or "").strip()
    if not verification:
        raise ValidationError({"verification": "销号须填写验收意见"})
    closed_on = closed_on or _today()
    if closed_on > _today():
        raise ValidationError({"closed_on": "销号日期不能晚于今天"})
    if closed_on < problem.found_on:
        raise ValidationError({"closed_on": "销号日期不能早于发现日期"})
    return _transition(
        actor=actor,
        problem=problem,
        to_status=ProblemStatus.CLOSED,
        action="supervision.problem.closed",
        reason=verification,
        expected_version=expected_version,
        closed_on=closed_on,
        verification=verification,
    )


def problem_return(*, actor, problem: Problem, reason: str, expected_version: int | None = None) -> Problem:
    """申请销号 → 整改中: the committee sends it back with a reason (退回)."""
    require_committee(actor, problem.organization, "退回整改")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "退回须填写理由"})
    if problem.status != ProblemStatus.APPLIED:
        raise ValidationError(f"当前状态“{problem.get_status_display()}”不能退回，只有申请销号的问题可以退回")
    return _transition(
        actor=actor,
        problem=problem,
        to_status=ProblemStatus.IN_PROGRESS,
        action="supervision.problem.returned",
        reason=reason,
        expected_version=expected_version,
    )


# ---------------------------------------------------------------------- extensions (延期)


def problem_request_extension(*, actor, problem: Problem, new_due_on: datetime.date, reason: str) -> ExtensionRequest:
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "请填写延期理由"
    if new_due_on is None:
        errors["new_due_on"] = "请填写申请延期至的日期"
    with transaction.atomic():
        locked = _lock(problem)
        if not locked.is_open:
            raise ValidationError("问题已销号，不能申请延期")
        if new_due_on is not None and new_due_on <= locked.due_on:
            errors["new_due_on"] = f"延期后的时限应晚于原整改时限（{locked.due_on:%Y-%m-%d}）"
        if ExtensionRequest.objects.filter(problem=locked, status=ExtensionStatus.PENDING).exists():
            errors["new_due_on"] = "已有待审批的延期申请，请等待审批结果"
        if errors:
            raise ValidationError(errors)
        request = ExtensionRequest.objects.create(
            problem=locked,
            old_due_on=locked.due_on,
            requested_due_on=new_due_on,
            reason=reason,
            requested_by=_user(actor),
        )
        audit.record(
            actor=actor,
            action="supervision.problem.extension_requested",
            obj=locked,
            organization=locked.organization,
            changes={
                "extension": [None, f"{locked.due_on:%Y-%m-%d} → {new_due_on:%Y-%m-%d}"],
                "reason": [None, reason],
            },
        )
    return request


def problem_decide_extension(*, actor, request: ExtensionRequest, approve: bool, note: str = "") -> ExtensionRequest:
    """The committee approves (the deadline moves) or refuses an extension request."""
    note = (note or "").strip()
    problem = request.problem
    require_committee(actor, problem.organization, "审批延期申请")
    if not approve and not note:
        raise ValidationError({"note": "不批准延期须填写理由"})
    with transaction.atomic():
        locked_request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if locked_request.status != ExtensionStatus.PENDING:
            raise ValidationError("该延期申请已经审批")
        locked = _lock(problem)
        before = summary.state(locked)
        if approve and not locked.is_open:
            raise ValidationError("问题已销号，无需延期")
        locked_request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        locked_request.decided_by = _user(actor)
        locked_request.decided_at = timezone.now()
        locked_request.decision_note = note
        locked_request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        span = f"{locked_request.old_due_on:%Y-%m-%d} → {locked_request.requested_due_on:%Y-%m-%d}"
        changes: dict[str, list] = {"extension": [None, f"{locked_request.get_status_display()}：{span}"]}
        if note:
            changes["reason"] = [None, note]
        if approve:
            tracked_item_extend(
                actor=actor,
                item=locked.tracked_item,
                new_due_on=locked_request.requested_due_on,
                reason=note or locked_request.reason,
            )
            changes["due_on"] = [locked.due_on.isoformat(), locked_request.requested_due_on.isoformat()]
            locked.due_on = locked_request.requested_due_on
            locked.version += 1
            changes["version"] = [locked.version - 1, locked.version]
            locked.save(update_fields=["due_on", "version"])
        audit.record(
            actor=actor,
            action="supervision.problem.extension_approved" if approve else "supervision.problem.extension_rejected",
            obj=locked,
            organization=locked.organization,
            changes=changes,
        )
        summary.changed(before, locked)
        record_changed(locked)
    return locked_request


def open_status_values() -> tuple[str, ...]:
    return tuple(str(s) for s in OPEN_STATUSES)
