"""Organizational life's entries in the shared registries (navigation, statistics, due items)."""

from __future__ import annotations

from accounts.models import Role
from core.navigation import register_nav
from core.scope import READ_ROLES
from meetings import policies  # noqa: F401  (registers the scope policies)

register_nav(
    "meetings",
    "会议台账",
    "meetings:meeting_list",
    icon="journal-text",
    roles=READ_ROLES,
    order=10,
    url_prefix="/meetings/ledger/",
)
register_nav(
    "meetings",
    "落实情况",
    "meetings:compliance",
    icon="grid-3x3",
    roles=READ_ROLES,
    order=20,
    url_prefix="/meetings/compliance/",
)
register_nav(
    "meetings",
    "年度计划",
    "meetings:plan_list",
    icon="calendar3",
    roles=READ_ROLES,
    order=30,
    url_prefix="/meetings/plans/",
)
register_nav(
    "meetings",
    "我的组织生活",
    "meetings:my_meetings",
    icon="person-check",
    roles=(Role.MEMBER,),
    order=40,
    url_prefix="/meetings/mine/",
)
from meetings import reminders, stats  # noqa: E402,F401  (statistics, report sections, due items, reminders)
