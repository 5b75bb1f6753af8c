"""Organizational life on the home page (what is still owed) and in the daily reminders.

Home page (工作台): for each organization on which the user holds a write role directly, one
line per period type — "本月还需召开：支委会、主题党日", "本季度还需召开：支部党员大会",
"上月未按要求召开：支委会" (red, right after the period ended) — linking to the meeting form
pre-filled with the organization and the first type. Organizations the user covers only through
an ancestor (a committee administrator over all branches) are summed up in one line per period
type linking to the compliance heatmap, so the home page stays short whatever the bureau's size.

Reminders (`send_reminders`): an obligation of the current period that enters its yellow window
(state "due") gets a 临期 reminder; one of a period that ended last month and was not met gets
an 逾期 reminder. Each once per recipient (Notification.dedupe_key
"obl:<org>:<kind>:<period>:<stage>"). Recipients: users granted branch_secretary on that very
organization, and users linked to people holding a sitting 书记 or 党务干部 post there. Nobody
else: the committee follows the heatmap.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from core import audit
from core.home import DueItem, register_due_provider
from core.notifications import notify_many
from core.reminders import ReminderSummary, register_reminder_source
from core.rules import RuleSet
from core.scope import WRITE_ROLES, Scope
from meetings.obligations import (
    CURRENT_WORDS,
    DUE,
    OVERDUE,
    PREVIOUS_WORDS,
    Obligation,
    compute,
    due_obligations,
    owing_organizations,
    sort_key,
    targets_current,
    targets_just_ended,
)
from orgs.models import PartyPost, PostType

REMINDED = audit.register_action("meetings.obligation.reminded", "发送组织生活临期/逾期提醒")
STAGE_DUE = "due"
STAGE_OVERDUE = "overdue"
SUMMARY_DUE = "meetings_due"
SUMMARY_OVERDUE = "meetings_overdue"
REMINDER_POSTS = (PostType.SECRETARY, PostType.AFFAIRS_OFFICER)


def _date_cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------- home page


def _line(obls: list[Obligation], late: bool) -> DueItem:
    obls = sorted(obls, key=sort_key)
    org = obls[0].organization
    words = (PREVIOUS_WORDS if late else CURRENT_WORDS)[obls[0].period.kind]
    names = "、".join(o.kind_label for o in obls)
    first = next((o for o in obls if o.state == DUE), obls[0])
    if late:
        title = f"{words}未按要求召开：{names}"
        urgency = "overdue"
        action = f"补录{first.kind_label}"
    else:
        title = f"{words}还需召开：{names}"
        urgency = "due" if any(o.state == DUE for o in obls) else "info"
        action = f"登记{first.kind_label}"
    detail = org.name
    if len({o.due_on for o in obls}) > 1:
        detail += "；" + "、".join(f"{o.kind_label}{o.due_on.month}月{o.due_on.day}日前" for o in obls)
    return DueItem(
        title=title,
        due_on=min(o.due_on for o in obls),
        urgency=urgency,
        url=first.new_url,
        action_label=action,
        category="组织生活",
        detail=detail,
    )


def _summary_line(obls: list[Obligation], late: bool) -> DueItem:
    words = (PREVIOUS_WORDS if late else CURRENT_WORDS)[obls[0].period.kind]
    orgs_by_kind: dict[str, set[int]] = defaultdict(set)
    labels: dict[str, str] = {}
    for o in sorted(obls, key=sort_key):
        orgs_by_kind[o.kind].add(o.organization.pk)
        labels[o.kind] = o.kind_label
    parts = "、".join(f"{labels[k]}（{len(ids)}个）" for k, ids in orgs_by_kind.items())
    n_orgs = len({o.organization.pk for o in obls})
    if late:
        title, urgency = f"下级党组织{words}未按要求召开：{parts}", "overdue"
    else:
        title = f"下级党组织{words}尚未召开：{parts}"
        urgency = "due" if any(o.state == DUE for o in obls) else "info"
    url = reverse("meetings:compliance") + f"?period={obls[0].period.code}"
    return DueItem(
        title=title,
        due_on=min(o.due_on for o in obls),
        urgency=urgency,
        url=url,
        action_label="查看落实情况",
        category="组织生活",
        detail=f"共{n_orgs}个党组织",
    )


@register_due_provider
def obligation_due_items(user, today: datetime.date | None = None) -> list[DueItem]:
    today = today or timezone.localdate()
    scope = Scope.of(user)
    if not scope.has_role(*WRITE_ROLES):
        return []
    found = due_obligations(user, today, include_overdue=True)
    if not found:
        return []
    direct = {o.pk for o in scope.granted_organizations}
    own: dict[tuple, list[Obligation]] = defaultdict(list)
    below: dict[tuple, list[Obligation]] = defaultdict(list)
    for o in found:
        key = (o.period.kind, o.state == OVERDUE)
        if o.organization.pk in direct:
            own[(o.organization.pk, *key)].append(o)
        else:
            below[key].append(o)
    items = [_line(obls, late) for (_, _, late), obls in own.items()]
    items += [_summary_line(obls, late) for (_, late), obls in below.items()]
    return items


# ---------------------------------------------------------------- reminders


def obligation_recipients(org_ids: list[int], today: datetime.date) -> dict[int, list[User]]:
    """{org id: users}: secretaries granted on the organization + sitting 书记/党务干部 with an account."""
    found: dict[int, dict[int, User]] = defaultdict(dict)
    grants = (
        RoleGrant.objects.filter(role=Role.BRANCH_SECRETARY, organization_id__in=org_ids, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    for g in grants:
        found[g.organization_id].setdefault(g.user_id, g.user)
    pairs = list(
        PartyPost.objects.filter(
            organization_id__in=org_ids,
            post__in=REMINDER_POSTS,
            start_on__lte=today,
            person__user__isnull=False,
            person__user__is_active=True,
        )
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=today))
        .values_list("organization_id", "person__user")
    )
    users = User.objects.in_bulk({user_id for _, user_id in pairs})
    for org_id, user_id in sorted(pairs, key=lambda p: p[1]):
        found[org_id].setdefault(user_id, users[user_id])
    return {org_id: list(by_id.values()) for org_id, by_id in found.items()}


def _message(o: Obligation, stage: str) -> dict:
    org = o.organization
    if stage == STAGE_DUE:
        return {
            "title": f"【组织生活提醒】{org.name}{o.period.label}尚未召开{o.kind_label}",
            "body": (
                f"按规定{o.kind_label}{o.rule_text}，应于{_date_cn(o.due_on)}前召开，"
                f"目前已登记{o.held}次。请及时召开并在平台登记会议记录。"
            ),
            "level": "warning",
        }
    return {
        "title": f"【组织生活逾期】{org.name}{o.period.label}未按要求召开{o.kind_label}",
        "body": (
            f"按规定{o.kind_label}{o.rule_text}，{o.period.label}登记{o.held}次，已逾期。"
            "如已召开，请补录会议记录；如未召开，请尽快安排。"
        ),
        "level": "danger",
    }


@register_reminder_source(labels={SUMMARY_DUE: "组织生活临期提醒", SUMMARY_OVERDUE: "组织生活逾期提醒"})
def send_obligation_reminders(
    today: datetime.date, summary: ReminderSummary, log: Callable[[str], None] = lambda s: None
) -> None:
    from meetings import obligation_store

    # Build this year's stored obligations (the dashboard's and the report's counts) ahead of the
    # first user who asks for them.
    obligation_store.ensure_years([today.year])
    rules = RuleSet()
    targets = targets_current(today, rules) + targets_just_ended(today, rules)
    pending = [
        (o, STAGE_DUE if o.state == DUE else STAGE_OVERDUE)
        for o in compute(owing_organizations(), targets, today, rules)
        if o.state in (DUE, OVERDUE)
    ]
    if not pending:
        return
    by_org: dict[int, list[tuple[Obligation, str]]] = defaultdict(list)
    for o, stage in sorted(pending, key=lambda pair: sort_key(pair[0])):
        by_org[o.organization.pk].append((o, stage))
    recipients = obligation_recipients(list(by_org), today)
    for org_id, entries in by_org.items():
        users = recipients.get(org_id, [])
        if not users:
            continue
        org = entries[0][0].organization
        sent: list[str] = []
        with transaction.atomic():
            for o, stage in entries:
                n = notify_many(
                    recipients=users,
                    url=o.new_url,
                    dedupe_key=f"obl:{org_id}:{o.kind}:{o.period.code}:{stage}",
                    **_message(o, stage),
                )
                if n:
                    summary.add(SUMMARY_DUE if stage == STAGE_DUE else SUMMARY_OVERDUE, n)
                    sent.append(f"{'临期' if stage == STAGE_DUE else '逾期'}：{o.label}")
                    log(f"组织生活{'临期' if stage == STAGE_DUE else '逾期'}提醒：{org.name} {o.label} → {n} 条")
            if sent:
                audit.record(
                    actor=None,
                    action=REMINDED,
                    obj=org,
                    organization=org,
                    changes={
                        "提醒": [None, "；".join(sent)],
                        "接收人": [None, "、".join(str(u) for u in users)],
                    },
                )
