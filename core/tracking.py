"""Tracked items with deadlines: one mechanism for every workflow with an owner and a due date.

Each kind registers a `Workflow`: its statuses, which are open or closed, and the allowed
transitions. Services here are the only writers of TrackedItem; every change is audited and each
transition is logged with actor and reason. Overdue state (yellow before, red after) is computed
from the due date and the rules `tracking.yellow_days_before` / `tracking.escalate_days_after`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.models import TrackedItem, TrackedTransition
from core.rules import rule
from core.workdays import compute_due

audit.register_action("core.tracked_item.created", "创建跟踪事项")
audit.register_action("core.tracked_item.transitioned", "跟踪事项状态变更")
audit.register_action("core.tracked_item.extended", "跟踪事项延期")


@dataclass
class Workflow:
    kind: str
    label: str
    statuses: dict[str, str]  # code -> Chinese label
    initial: str
    closed: set[str]
    transitions: dict[str, set[str]]  # from -> allowed targets
    reason_required: set[str] = field(default_factory=set)  # targets that need a reason
    url_name: str = ""  # reverse(url_name, args=[subject pk]) for the subject's page
    own_reminders: bool = False  # the app sends this kind's reminders and 督办 itself (set-based)

    def label_of(self, status: str) -> str:
        return self.statuses.get(status, status)

    def allowed(self, status: str) -> set[str]:
        return self.transitions.get(status, set())


_WORKFLOWS: dict[str, Workflow] = {}


def register_workflow(workflow: Workflow) -> Workflow:
    _WORKFLOWS[workflow.kind] = workflow
    return workflow


def workflow_for(kind: str) -> Workflow:
    return _WORKFLOWS[kind]


def registered_workflows() -> dict[str, Workflow]:
    return dict(_WORKFLOWS)


def yellow_days(year: int) -> int:
    return int(rule("tracking.yellow_days_before", year, default=3))


def escalate_days(year: int) -> int:
    return int(rule("tracking.escalate_days_after", year, default=3))


def urgency(item: TrackedItem, today: datetime.date | None = None, *, yellow: int | None = None) -> str:
    """'closed', 'ok', 'due' (yellow: due soon) or 'overdue' (red).

    `yellow` (rule tracking.yellow_days_before) may be passed in to avoid a query per item.
    """
    wf = workflow_for(item.kind)
    if item.status in wf.closed:
        return "closed"
    today = today or timezone.localdate()
    if item.due_on < today:
        return "overdue"
    if yellow is None:
        yellow = yellow_days(today.year)
    if (item.due_on - today).days <= yellow:
        return "due"
    return "ok"


def days_overdue(item: TrackedItem, today: datetime.date) -> int:
    return max((today - item.due_on).days, 0)


def open_items():
    """Open tracked items of every registered workflow (closed statuses excluded)."""
    from django.db.models import Q

    q = Q(pk__in=[])
    for kind, wf in _WORKFLOWS.items():
        q |= Q(kind=kind) & ~Q(status__in=wf.closed)
    return TrackedItem.objects.filter(q)


def subject_url(item: TrackedItem) -> str:
    from django.urls import NoReverseMatch, reverse

    wf = _WORKFLOWS.get(item.kind)
    if wf is None or not wf.url_name or not item.object_id:
        return ""
    try:
        return reverse(wf.url_name, args=[item.object_id])
    except NoReverseMatch:
        return ""


def tracked_item_create(
    *,
    actor,
    kind: str,
    title: str,
    organization,
    start_on: datetime.date,
    duration: int,
    deadline_mode: str = TrackedItem.DEADLINE_CALENDAR,
    owner=None,
    subject=None,
) -> TrackedItem:
    wf = workflow_for(kind)
    with transaction.atomic():
        item = TrackedItem(
            kind=kind,
            title=title,
            organization=organization,
            owner=owner,
            status=wf.initial,
            start_on=start_on,
            deadline_mode=deadline_mode,
            duration=duration,
            due_on=compute_due(start_on, duration, deadline_mode),
        )
        if subject is not None:
            item.content_type = ContentType.objects.get_for_model(subject)
            item.object_id = str(subject.pk)
        item.save()
        TrackedTransition.objects.create(
            item=item, from_status="", to_status=wf.initial, actor=_user(actor), reason="创建"
        )
        audit.record(
            actor=actor,
            action="core.tracked_item.created",
            obj=item,
            organization=organization,
            changes={"status": [None, wf.label_of(wf.initial)], "due_on": [None, item.due_on.isoformat()]},
        )
    return item


def tracked_item_transition(*, actor, item: TrackedItem, to_status: str, reason: str = "") -> TrackedItem:
    wf = workflow_for(item.kind)
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = TrackedItem.objects.select_for_update().get(pk=item.pk)
        if to_status not in wf.allowed(locked.status):
            raise ValidationError(f"当前状态“{wf.label_of(locked.status)}”不能变更为“{wf.label_of(to_status)}”")
        if to_status in wf.reason_required and not reason:
            raise ValidationError(f"变更为“{wf.label_of(to_status)}”须填写理由")
        old = locked.status
        locked.status = to_status
        locked.closed_at = timezone.now() if to_status in wf.closed else None
        locked.version += 1
        locked.save(update_fields=["status", "closed_at", "version"])
        TrackedTransition.objects.create(
            item=locked, from_status=old, to_status=to_status, actor=_user(actor), reason=reason
        )
        audit.record(
            actor=actor,
            action="core.tracked_item.transitioned",
            obj=locked,
            organization=locked.organization,
            changes={
                "status": [wf.label_of(old), wf.label_of(to_status)],
                **({"理由": [None, reason]} if reason else {}),
                "version": [locked.version - 1, locked.version],
            },
        )
    item.refresh_from_db()
    return item


def tracked_item_extend(*, actor, item: TrackedItem, new_due_on: datetime.date, reason: str = "") -> TrackedItem:
    """Move an open item's deadline later (an approved extension); the new deadline is a date."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = TrackedItem.objects.select_for_update().get(pk=item.pk)
        if locked.status in workflow_for(locked.kind).closed:
            raise ValidationError("事项已办结，不能延期")
        if new_due_on <= locked.due_on:
            raise ValidationError("延期后的截止日期应晚于原截止日期")
        old = locked.due_on
        locked.due_on = new_due_on
        locked.deadline_mode = TrackedItem.DEADLINE_CALENDAR
        locked.duration = (new_due_on - locked.start_on).days
        locked.version += 1
        locked.save(update_fields=["due_on", "deadline_mode", "duration", "version"])
        audit.record(
            actor=actor,
            action="core.tracked_item.extended",
            obj=locked,
            organization=locked.organization,
            changes={
                "due_on": [old.isoformat(), new_due_on.isoformat()],
                **({"理由": [None, reason]} if reason else {}),
                "version": [locked.version - 1, locked.version],
            },
        )
    item.refresh_from_db()
    return item


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _tracked_due_items(user, today=None):
    """Open tracked items of every registered kind in the user's scope, for the home page."""
    from core.home import DueItem
    from core.scope import WRITE_ROLES, Scope

    scope = Scope.of(user)
    if not scope.has_role(*WRITE_ROLES) or not _WORKFLOWS:
        return []
    qs = open_items().select_related("organization")
    q = scope.org_q("organization__path", WRITE_ROLES)
    if q is not None:
        qs = qs.filter(q)
    today = today or timezone.localdate()
    yellow = yellow_days(today.year)
    items = []
    for item in qs.order_by("due_on")[:50]:
        wf = _WORKFLOWS[item.kind]
        url = subject_url(item) or "#"
        items.append(
            DueItem(
                title=item.title,
                due_on=item.due_on,
                urgency=urgency(item, today, yellow=yellow),
                url=url,
                category=wf.label,
                detail=wf.label_of(item.status),
            )
        )
    return items


def _register_home_provider():
    from core.home import register_due_provider

    register_due_provider(_tracked_due_items)


_register_home_provider()
