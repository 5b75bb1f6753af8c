"""Points on the home page (工作台): entries waiting for the committee's review, a 公示 whose
period is over and awaits the result, and — for everyone concerned — a 公示 in progress."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from core.home import DueItem, register_due_provider
from core.scope import ADMIN_ROLES, Scope, policy_for
from points.models import EntryKind, EntryStatus, PointEntry, RoundStatus, VanguardRound
from points.policies import notice_visible


@register_due_provider
def points_due_items(user, today: datetime.date | None = None) -> list[DueItem]:
    today = today or timezone.localdate()
    scope = Scope.of(user)
    items: list[DueItem] = []
    if scope.has_role(*ADMIN_ROLES):
        pending = (
            policy_for(PointEntry)
            .visible(user, "approve")
            .filter(kind=EntryKind.MANUAL, status=EntryStatus.PENDING)
            .count()
        )
        if pending:
            items.append(
                DueItem(
                    title=f"积分加减分待审核：{pending}条",
                    due_on=None,
                    urgency="info",
                    url=reverse("points:review_queue"),
                    action_label="审核",
                    category="党员积分",
                )
            )
        ended = (
            policy_for(VanguardRound)
            .visible(user, "change")
            .filter(status=RoundStatus.PUBLICIZED, notice_end__lt=today)
            .order_by("notice_end")
        )
        for rnd in ended[:5]:
            items.append(
                DueItem(
                    title=f"{rnd.title}公示期满，待公布结果",
                    due_on=rnd.notice_end,
                    urgency="due",
                    url=reverse("points:round_detail", args=[rnd.pk]),
                    action_label="公布结果",
                    category="党员先锋",
                )
            )
    running = (
        notice_visible(user)
        .select_related("organization")
        .filter(status=RoundStatus.PUBLICIZED, notice_start__lte=today, notice_end__gte=today)
    )
    for rnd in running.order_by("notice_end")[:3]:
        items.append(
            DueItem(
                title=f"正在公示：{rnd.title}",
                due_on=rnd.notice_end,
                urgency="info",
                url=reverse("points:notice_detail", args=[rnd.pk]),
                action_label="查看公示",
                category="党员先锋",
                detail=f"公示至{rnd.notice_end.month}月{rnd.notice_end.day}日，如有异议请向{rnd.organization.name}反映",
            )
        )
    return items
