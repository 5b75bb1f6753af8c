"""Reminders and 督办 escalation for tracked items, and 换届 reminders for organizations.

Run daily by `python manage.py send_reminders`. Idempotent: each (item, stage) is sent once ever
(ReminderLog's unique constraint), each term reminder once per organization, term end and
recipient (Notification.dedupe_key), however often the command runs.

Stages of an open tracked item, computed for `today` with the rules of today's year:
- "due_soon"   — within tracking.yellow_days_before days of the due date (yellow);
- "overdue"    — past the due date (red);
- "escalation" — more than tracking.escalate_days_after days past it (督办): sent to the
  committee administrators above the item's organization.

Apps add further reminders (e.g. organizational-life obligations) with register_reminder_source.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from core import audit
from core.models import ReminderLog, TrackedItem
from core.notifications import notify_many
from core.tracking import (
    days_overdue,
    escalate_days,
    open_items,
    registered_workflows,
    subject_url,
    workflow_for,
    yellow_days,
)

REMINDED = audit.register_action("core.tracked_item.reminded", "发送临期/逾期提醒或督办")
TERM_REMINDED = audit.register_action("core.term.reminded", "发送换届提醒")

DUE_SOON = "due_soon"
OVERDUE = "overdue"
ESCALATION = "escalation"
STAGE_LABELS = {DUE_SOON: "临期提醒", OVERDUE: "逾期提醒", ESCALATION: "督办", "term": "换届提醒"}


@dataclass
class ReminderSummary:
    counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k in STAGE_LABELS})

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, stage: str, n: int) -> None:
        self.counts[stage] = self.counts.get(stage, 0) + n

    def __str__(self) -> str:
        parts = "，".join(f"{STAGE_LABELS.get(k, k)} {v}" for k, v in self.counts.items())
        return f"已发送提醒 {self.total} 条（{parts}）"


def _date_cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------- recipients


def _grants(role: str, paths: list[str]):
    return (
        RoleGrant.objects.filter(role=role, organization__path__in=paths, user__is_active=True)
        .select_related("user", "organization")
        .order_by("user_id")
    )


def committee_admins_covering(org) -> list[User]:
    """Committee administrators whose grant covers `org` (granted on it or an ancestor)."""
    return _distinct([g.user for g in _grants(Role.COMMITTEE_ADMIN, org.ancestors_paths)])


def sysadmins() -> list[User]:
    return _distinct(
        [g.user for g in RoleGrant.objects.filter(role=Role.SYSADMIN, user__is_active=True).select_related("user")]
    )


def secretaries_for(org) -> list[User]:
    """Branch secretaries granted on `org` or, failing that, on its closest ancestor that has any."""
    grants = list(_grants(Role.BRANCH_SECRETARY, org.ancestors_paths))
    if not grants:
        return []
    closest = max(len(g.organization.path) for g in grants)
    return _distinct([g.user for g in grants if len(g.organization.path) == closest])


def _distinct(users: list[User]) -> list[User]:
    seen: dict[int, User] = {}
    for u in users:
        seen.setdefault(u.pk, u)
    return list(seen.values())


def reminder_recipients(item: TrackedItem) -> list[User]:
    """Owner + secretaries of the item's organization (closest); committee admins if none."""
    users: list[User] = []
    if item.owner_id and item.owner.is_active:
        users.append(item.owner)
    secretaries = secretaries_for(item.organization)
    users.extend(secretaries or committee_admins_covering(item.organization) or sysadmins())
    return _distinct(users)


def escalation_recipients(item: TrackedItem) -> list[User]:
    """Committee administrators over the organization's parent (or the organization if it has none)."""
    target = item.organization.parent or item.organization
    return committee_admins_covering(target) or sysadmins()


# ---------------------------------------------------------------- tracked items


def stages_due(item: TrackedItem, today: datetime.date, *, yellow: int, escalate_after: int) -> list[str]:
    """The stages an open item has reached today (earlier stages it skipped are not sent)."""
    if item.due_on < today:
        stages = [OVERDUE]
        if days_overdue(item, today) > escalate_after:
            stages.append(ESCALATION)
        return stages
    if (item.due_on - today).days <= yellow:
        return [DUE_SOON]
    return []


def _message(item: TrackedItem, stage: str, today: datetime.date) -> dict:
    wf = workflow_for(item.kind)
    org = item.organization
    due = _date_cn(item.due_on)
    if stage == DUE_SOON:
        left = (item.due_on - today).days
        when = "今天到期" if left == 0 else f"还剩 {left} 天"
        return {
            "title": f"【临期提醒】{wf.label}：{item.title}",
            "body": f"{org.name}的事项将于{due}到期（{when}），请及时办理。",
            "level": "warning",
        }
    late = days_overdue(item, today)
    if stage == OVERDUE:
        return {
            "title": f"【逾期提醒】{wf.label}：{item.title}",
            "body": f"{org.name}的事项已于{due}到期，已逾期 {late} 天，请尽快办理。",
            "level": "danger",
        }
    return {
        "title": f"【督办】{wf.label}：{item.title}",
        "body": f"{org.name}的事项已逾期 {late} 天（截止{due}），请督促办理并跟踪结果。",
        "level": "danger",
    }


def send_item_reminder(item: TrackedItem, stage: str, today: datetime.date) -> int | None:
    """Send one stage for one item. None if it was sent before; else the notifications created."""
    recipients = escalation_recipients(item) if stage == ESCALATION else reminder_recipients(item)
    message = _message(item, stage, today)
    try:
        with transaction.atomic():
            _, created = ReminderLog.objects.get_or_create(item=item, stage=stage)
            if not created:
                return None
            n = notify_many(
                recipients=recipients,
                url=subject_url(item),
                dedupe_key=f"tracked:{item.pk}:{stage}",
                **message,
            )
            audit.record(
                actor=None,
                action=REMINDED,
                obj=item,
                organization=item.organization,
                changes={
                    "提醒": [None, STAGE_LABELS[stage]],
                    "接收人": [None, "、".join(str(u) for u in recipients) or "（无）"],
                },
            )
    except IntegrityError:  # another run logged this stage at the same moment
        return None
    return n


def send_tracked_reminders(
    today: datetime.date, summary: ReminderSummary, log: Callable[[str], None] = lambda s: None
) -> None:
    yellow = yellow_days(today.year)
    escalate_after = escalate_days(today.year)
    own = [kind for kind, wf in registered_workflows().items() if wf.own_reminders]
    items = list(
        open_items()
        .exclude(kind__in=own)
        .filter(organization__deleted_at__isnull=True)
        .select_related("organization", "organization__parent", "owner")
        .order_by("due_on", "pk")
    )
    sent = set(ReminderLog.objects.filter(item__in=[i.pk for i in items]).values_list("item_id", "stage"))
    for item in items:
        for stage in stages_due(item, today, yellow=yellow, escalate_after=escalate_after):
            if (item.pk, stage) in sent:
                continue
            n = send_item_reminder(item, stage, today)
            if n is None:
                continue
            summary.add(stage, n)
            log(f"{STAGE_LABELS[stage]}：{item.title}（截止 {item.due_on:%Y-%m-%d}）→ {n} 条")


# ---------------------------------------------------------------- terms (换届提醒)


def term_recipients(org) -> list[User]:
    secretaries = [g.user for g in _grants(Role.BRANCH_SECRETARY, [org.path])]
    return _distinct(secretaries + committee_admins_covering(org))


def send_term_reminders(
    today: datetime.date, summary: ReminderSummary, log: Callable[[str], None] = lambda s: None
) -> None:
    from django.urls import reverse

    from orgs.models import Organization
    from orgs.selectors import term_status

    orgs = Organization.objects.exclude(term_start__isnull=True, term_end__isnull=True).order_by("path")
    for org in orgs:
        status = term_status(org, today)
        if status["state"] not in ("due", "expired"):
            continue
        end = status["end"]
        if status["state"] == "expired":
            title = f"【换届提醒】{org.name}任期已于{_date_cn(end)}届满，应及时换届"
        else:
            title = f"【换届提醒】{org.name}任期将于{_date_cn(end)}届满（还剩 {status['days']} 天）"
        recipients = term_recipients(org)
        with transaction.atomic():
            n = notify_many(
                recipients=recipients,
                title=title,
                body="请按规定做好换届准备；提前或延期换届须报上级党组织批准。",
                url=reverse("orgs:organization_detail", args=[org.pk]),
                level="warning" if status["state"] == "due" else "danger",
                dedupe_key=f"term:{org.pk}:{end.isoformat()}",
            )
            if n:
                audit.record(
                    actor=None,
                    action=TERM_REMINDED,
                    obj=org,
                    organization=org,
                    changes={"届满日期": [None, end.isoformat()], "通知人数": [None, n]},
                )
        if n:
            summary.add("term", n)
            log(f"换届提醒：{org.name}（{end:%Y-%m-%d} 届满）→ {n} 条")


# ---------------------------------------------------------------- other apps' reminders

ReminderSource = Callable[[datetime.date, ReminderSummary, Callable[[str], None]], None]
_SOURCES: list[ReminderSource] = []


def register_reminder_source(func: ReminderSource | None = None, *, labels: dict[str, str] | None = None):
    """Register `func(today, summary, log)`, run by send_all after the built-in reminders.

    A source must be idempotent (e.g. notify() with a dedupe_key) and count what it sent with
    summary.add(stage, n); `labels` names its stages in the summary line."""

    def decorator(f: ReminderSource) -> ReminderSource:
        STAGE_LABELS.update(labels or {})
        if f not in _SOURCES:
            _SOURCES.append(f)
        return f

    return decorator(func) if func is not None else decorator


def send_all(today: datetime.date | None = None, log: Callable[[str], None] = lambda s: None) -> ReminderSummary:
    today = today or timezone.localdate()
    summary = ReminderSummary()
    send_tracked_reminders(today, summary, log)
    send_term_reminders(today, summary, log)
    for source in _SOURCES:
        source(today, summary, log)
    return summary
