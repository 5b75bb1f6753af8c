"""Reminders and 督办 for the rectification ledger, set-based so that they scale to every open problem.

Run daily by `send_reminders` (registered as a reminder source) or on its own by
`send_escalations`. For the open problems it finds, with today's rules:

- 临期 (due_soon): the deadline is within tracking.yellow_days_before days;
- 逾期 (overdue): the deadline has passed;
- 督办 (escalation): more than tracking.escalate_days_after days past the deadline — a 督办单
  (EscalationNotice, numbered 督办〔2022〕3号 per year) is issued once per problem and the
  responsible organization's secretary is notified.

Each stage is sent once per problem ever: the临期/逾期 stages are logged in core's ReminderLog
(the same log the generic tracked-item reminders use, so a problem is never reminded twice by the
two), the 督办 stage by the problem's one EscalationNotice. Recipients: the branch secretaries of
the problem's organization (accounts granted 支部书记/党务干部 there, and the sitting 书记 with an
account; the closest organization upwards that has any), the responsible person's account; the
committee administrators if there is nobody else.

Everything is read with a constant number of queries per batch and written with bulk_create, in
one transaction per batch (audit entries, notifications, reminder log rows, notices together).
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from core import audit, notifications
from core.dbstats import analyze
from core.models import AuditEntry, ReminderLog
from core.reminders import ReminderSummary, register_reminder_source
from core.rules import rule
from core.tracking import escalate_days, yellow_days
from core.workdays import add_working_days
from orgs.models import PartyPost, PostType
from supervision.models import OPEN_STATUSES, EscalationNotice, Problem

REMINDED = audit.register_action("supervision.problem.reminded", "发送整改临期/逾期提醒")
ESCALATED = audit.register_action("supervision.problem.escalated", "发出督办单")

DUE_SOON = "due_soon"  # the same stage names as core.reminders
OVERDUE = "overdue"
ESCALATION = "escalation"
SUMMARY_KEYS = {
    DUE_SOON: "supervision_due",
    OVERDUE: "supervision_overdue",
    ESCALATION: "supervision_escalation",
}
STAGE_WORDS = {DUE_SOON: "临期提醒", OVERDUE: "逾期提醒", ESCALATION: "督办单"}
BATCH = 2000

ANALYZE_AFTER = 1000  # reminder logs written in one go, beyond which the table is analysed


def _date_cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class Row:
    pk: int
    item_id: int
    org_id: int
    org_path: str
    org_name: str
    description: str
    due_on: datetime.date
    person_user_id: int | None

    @property
    def title(self) -> str:
        text = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return text if len(text) <= 40 else text[:39] + "…"


# ---------------------------------------------------------------------- recipients


class Recipients:
    """Who hears about a problem, computed for many organizations from three queries."""

    def __init__(self, today: datetime.date):
        self.secretaries: dict[str, set[int]] = defaultdict(set)
        self.admins: dict[str, set[int]] = defaultdict(set)
        grants = RoleGrant.objects.filter(
            role__in=[Role.BRANCH_SECRETARY, Role.COMMITTEE_ADMIN], user__is_active=True
        ).values_list("role", "organization__path", "user_id")
        for role, path, user_id in grants:
            (self.secretaries if role == Role.BRANCH_SECRETARY else self.admins)[path].add(user_id)
        posts = (
            PartyPost.objects.filter(
                post=PostType.SECRETARY,
                start_on__lte=today,
                person__user__isnull=False,
                person__user__is_active=True,
            )
            .filter(Q(end_on__isnull=True) | Q(end_on__gte=today))
            .values_list("organization__path", "person__user")
        )
        for path, user_id in posts:
            self.secretaries[path].add(user_id)
        self.sysadmins = set(
            RoleGrant.objects.filter(role=Role.SYSADMIN, user__is_active=True).values_list("user_id", flat=True)
        )
        self.users: dict[int, User] = {}
        self._cache: dict[str, list[int]] = {}

    @staticmethod
    def _ancestors(path: str) -> list[str]:
        parts = [p for p in path.split(".") if p]
        return [".".join(parts[: i + 1]) + "." for i in range(len(parts) - 1, -1, -1)]  # closest first

    def for_path(self, path: str) -> list[int]:
        found = self._cache.get(path)
        if found is None:
            found = []
            for p in self._ancestors(path):
                if self.secretaries.get(p):
                    found = sorted(self.secretaries[p])
                    break
            if not found:
                for p in self._ancestors(path):
                    if self.admins.get(p):
                        found = sorted(self.admins[p])
                        break
            if not found:
                found = sorted(self.sysadmins)
            self._cache[path] = found
        return found

    def for_row(self, row: Row) -> list[int]:
        ids = list(self.for_path(row.org_path))
        if row.person_user_id and row.person_user_id not in ids:
            ids.insert(0, row.person_user_id)
        return ids

    def load_users(self, ids) -> None:
        missing = {i for i in ids if i not in self.users}
        if missing:
            self.users.update(User.objects.filter(is_active=True).in_bulk(missing))

    def names(self, ids) -> str:
        return "、".join(str(self.users[i]) for i in ids if i in self.users)


# ---------------------------------------------------------------------- queries


def _open_problems():
    return Problem.objects.filter(status__in=OPEN_STATUSES, organization__deleted_at__isnull=True)


def candidates(stage: str, today: datetime.date, yellow: int, escalate_after: int):
    """Problems that reached `stage` today and have not had it yet (a queryset of ids)."""
    qs = _open_problems()
    if stage == DUE_SOON:
        qs = qs.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=yellow))
    elif stage == OVERDUE:
        qs = qs.filter(due_on__lt=today)
    else:
        qs = qs.filter(due_on__lt=today - datetime.timedelta(days=escalate_after))
    if stage == ESCALATION:
        return qs.filter(escalation__isnull=True)
    logged = ReminderLog.objects.filter(item_id=OuterRef("tracked_item_id"), stage=stage)
    return qs.filter(~Exists(logged))


def _rows(ids: list[int]) -> list[Row]:
    values = (
        Problem.objects.filter(pk__in=ids)
        .order_by("due_on", "pk")
        .values_list(
            "pk",
            "tracked_item_id",
            "organization_id",
            "org_path",
            "organization__name",
            "description",
            "due_on",
            "responsible_person__user",
        )
    )
    return [Row(*v) for v in values]


# ---------------------------------------------------------------------- writing


def _audit_entry(row: Row, action: str, changes: dict, ct: ContentType, at) -> AuditEntry:
    """An audit entry as core.audit.record writes it (actor 系统), for bulk insertion."""
    entry = audit.build_entry(
        actor=None,
        action=action,
        organization=None,
        changes=changes,
        object_repr=f"{row.org_name}：{row.title}",
        content_type=ct,
        object_id=row.pk,
    )
    entry.organization_id, entry.at = row.org_id, at
    return entry


def _notifications(
    row: Row, user_ids: list[int], users: dict, *, title: str, body: str, url: str, level: str, key: str
):
    return [
        notifications.build_notification(recipient_id=uid, title=title, body=body, url=url, level=level, dedupe_key=key)
        for uid in user_ids
        if uid in users
    ]


_URL_MARKER = 918273645


@functools.cache
def _detail_template() -> str:
    return reverse("supervision:problem_detail", args=[_URL_MARKER])


def detail_url(pk: int) -> str:
    """The problem page's URL: reversed once, not once for each of tens of thousands of rows."""
    return _detail_template().replace(str(_URL_MARKER), str(int(pk)), 1)


def _send_reminders(stage: str, rows: list[Row], today: datetime.date, rec: Recipients) -> int:
    ct = ContentType.objects.get_for_model(Problem)
    now = timezone.now()
    notes, logs, entries = [], [], []
    label = "临期提醒" if stage == DUE_SOON else "逾期提醒"
    for row in rows:
        ids = rec.for_row(row)
        url = detail_url(row.pk)
        if stage == DUE_SOON:
            left = (row.due_on - today).days
            when = "今天到期" if left == 0 else f"还剩 {left} 天"
            title = f"【整改临期】{row.title}"
            body = f"{row.org_name}的整改问题将于{_date_cn(row.due_on)}到期（{when}），请抓紧整改并报告进展。"
            level = "warning"
        else:
            late = (today - row.due_on).days
            title = f"【整改逾期】{row.title}"
            body = f"{row.org_name}的整改问题已于{_date_cn(row.due_on)}到期，已逾期 {late} 天，请尽快整改；确需延期的请申请延期。"
            level = "danger"
        notes += _notifications(
            row, ids, rec.users, title=title, body=body, url=url, level=level, key=f"tracked:{row.item_id}:{stage}"
        )
        logs.append(ReminderLog(item_id=row.item_id, stage=stage, sent_at=now))
        entries.append(
            _audit_entry(row, REMINDED, {"提醒": [None, label], "接收人": [None, rec.names(ids) or "（无）"]}, ct, now)
        )
    with transaction.atomic():
        ReminderLog.objects.bulk_create(logs, ignore_conflicts=True)
        if len(logs) >= ANALYZE_AFTER:
            analyze(ReminderLog)  # the next query's anti-join against the logs is planned on them
        notifications.notify_bulk(notes)
        audit.record_many(entries)
    return len(notes)


def _issue_notices(rows: list[Row], today: datetime.date, rec: Recipients, issuer: str) -> list[EscalationNotice]:
    ct = ContentType.objects.get_for_model(Problem)
    now = timezone.now()
    reply_days = int(rule("supervision.escalation_reply_working_days", today.year, default=5))
    reply_by = add_working_days(today, reply_days)
    with transaction.atomic():
        # Numbers continue the year's sequence; the unique (year, seq) constraint refuses a
        # concurrent run's duplicates (the whole batch then rolls back and is retried next run).
        seq = EscalationNotice.objects.filter(year=today.year).aggregate(m=Max("seq"))["m"] or 0
        notices, notes, logs, entries = [], [], [], []
        for row in rows:
            seq += 1
            ids = rec.for_row(row)
            late = (today - row.due_on).days
            notice = EscalationNotice(
                problem_id=row.pk,
                year=today.year,
                seq=seq,
                organization_id=row.org_id,
                org_path=row.org_path,
                issued_on=today,
                due_on=row.due_on,
                days_overdue=late,
                reply_by=reply_by,
                recipients=rec.names(ids)[:300],
            )
            notices.append(notice)
            number = notice.number
            notes += _notifications(
                row,
                ids,
                rec.users,
                title=f"【督办】{number}：{row.title}",
                body=(
                    f"{row.org_name}的整改问题已逾期 {late} 天（整改时限{_date_cn(row.due_on)}），{issuer}发出{number}，"
                    f"请于{_date_cn(reply_by)}前整改到位并书面反馈。"
                ),
                url=detail_url(row.pk),
                level="danger",
                key=f"supervision.escalation:{row.pk}",
            )
            logs.append(ReminderLog(item_id=row.item_id, stage=ESCALATION, sent_at=now))
            entries.append(
                _audit_entry(
                    row,
                    ESCALATED,
                    {
                        "督办单": [None, number],
                        "逾期天数": [None, late],
                        "反馈时限": [None, reply_by.isoformat()],
                        "接收人": [None, rec.names(ids) or "（无）"],
                    },
                    ct,
                    now,
                )
            )
        EscalationNotice.objects.bulk_create(notices, batch_size=1000)
        ReminderLog.objects.bulk_create(logs, ignore_conflicts=True, batch_size=1000)
        if len(logs) >= ANALYZE_AFTER:
            analyze(ReminderLog)  # the next query's anti-join against the logs is planned on them
        notifications.notify_bulk(notes)
        audit.record_many(entries)
    return notices


def send_problem_reminders(
    today: datetime.date | None = None,
    summary: ReminderSummary | None = None,
    log: Callable[[str], None] = lambda s: None,
    *,
    stages: tuple[str, ...] = (DUE_SOON, OVERDUE, ESCALATION),
) -> dict[str, int]:
    """Send what is due today; returns {stage: count} (notifications for reminders, notices for 督办)."""
    from orgs.models import Organization

    today = today or timezone.localdate()
    summary = summary or ReminderSummary()
    yellow = yellow_days(today.year)
    escalate_after = escalate_days(today.year)
    rec = Recipients(today)
    roots = dict(Organization.objects.filter(parent__isnull=True).values_list("path", "name"))
    counts = dict.fromkeys(stages, 0)
    for stage in stages:
        ids = list(
            candidates(stage, today, yellow, escalate_after).order_by("due_on", "pk").values_list("pk", flat=True)
        )
        for start in range(0, len(ids), BATCH):
            rows = _rows(ids[start : start + BATCH])
            rec.load_users({uid for row in rows for uid in rec.for_row(row)})
            if stage == ESCALATION:
                by_root: dict[str, list[Row]] = defaultdict(list)
                for row in rows:
                    by_root[row.org_path[:7]].append(row)
                n = 0
                for top, group in by_root.items():
                    try:
                        n += len(_issue_notices(group, today, rec, roots.get(top, "机关党委")))
                    except IntegrityError:
                        log("督办单编号冲突（可能有另一个督办任务在同时运行），本批跳过，下次运行时补发")
            else:
                n = _send_reminders(stage, rows, today, rec)
            counts[stage] += n
        if counts[stage]:
            summary.add(SUMMARY_KEYS[stage], counts[stage])
            log(f"问题整改{STAGE_WORDS[stage]}：{counts[stage]}")
    return counts


@register_reminder_source(
    labels={
        SUMMARY_KEYS[DUE_SOON]: "整改临期提醒",
        SUMMARY_KEYS[OVERDUE]: "整改逾期提醒",
        SUMMARY_KEYS[ESCALATION]: "督办单",
    }
)
def reminder_source(today: datetime.date, summary: ReminderSummary, log: Callable[[str], None]) -> None:
    send_problem_reminders(today, summary, log)
