"""Points' entries in the shared registries: navigation, point sources, statistics, due items."""

from __future__ import annotations

from accounts.models import Role
from core.navigation import register_nav
from core.scope import READ_ROLES, WRITE_ROLES
from points import policies  # noqa: F401  (registers the scope policies)

register_nav(
    "assessment",
    "我的积分",
    "points:mine",
    icon="award",
    roles=(Role.MEMBER, Role.BRANCH_SECRETARY, Role.LEADER),
    order=10,
    url_prefix="/points/mine/",
)
register_nav(
    "assessment",
    "积分排名",
    "points:ranking",
    icon="bar-chart-line",
    roles=READ_ROLES,
    order=20,
    url_prefix="/points/ranking/",
)
register_nav(
    "assessment",
    "积分明细",
    "points:entry_list",
    icon="list-ol",
    roles=READ_ROLES,
    order=25,
    url_prefix="/points/entries/",
)
register_nav(
    "assessment",
    "加减分审核",
    "points:review_queue",
    icon="clipboard-check",
    roles=WRITE_ROLES,
    order=30,
    url_prefix="/points/review/",
)
register_nav(
    "assessment",
    "先锋评选",
    "points:round_list",
    icon="trophy",
    roles=READ_ROLES,
    order=40,
    url_prefix="/points/vanguard/",
)
register_nav("assessment", "评选公示", "points:notice_list", icon="megaphone", order=45, url_prefix="/points/notices/")
register_nav("assessment", "积分规则", "points:rules", icon="journal-check", order=50, url_prefix="/points/rules/")

from points import due, people, sources_meetings, stats  # noqa: E402,F401  (sources, listeners, statistics, due items)
