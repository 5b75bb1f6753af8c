"""Organizational life's entries in the shared registries (navigation, statistics, due items)."""

from __future__ import annotations

from accounts.models import Role
from core.navigation import register_nav
from core.pickers import register_person_source
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


@register_person_source("meetings.people")
def _meeting_people(user):
    """Who may be picked as a meeting's host: the people the user sees (narrowed to the meeting's
    organization by the picker)."""
    from orgs.selectors import people_visible

    return people_visible(user)


@register_person_source("meetings.members")
def _meeting_members(user):
    """Who may give a 党课: the party members the user sees."""
    from meetings.selectors import MEMBER_STATUSES
    from orgs.selectors import people_visible

    return people_visible(user).filter(party_status__in=MEMBER_STATUSES)
