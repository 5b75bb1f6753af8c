"""The supervision area's entries in the shared registries: navigation, recycle bin, statistics,
report section, alerts, charts, reminders (the modules register themselves when imported)."""

from __future__ import annotations

from core.navigation import register_nav
from core.recyclebin import register_recyclable
from core.scope import READ_ROLES
from supervision import policies, services  # noqa: F401  (scope policies, audit actions, the workflow)
from supervision.models import Inspection, SecretaryReport

register_nav(
    "supervision",
    "问题整改台账",
    "supervision:problem_list",
    icon="list-check",
    roles=READ_ROLES,
    order=10,
    url_prefix="/supervision/problems/",
)
register_nav(
    "supervision",
    "督导检查",
    "supervision:inspection_list",
    icon="search",
    roles=READ_ROLES,
    order=20,
    url_prefix="/supervision/inspections/",
)
register_nav(
    "supervision",
    "书记述职评议",
    "supervision:report_list",
    icon="mic",
    roles=READ_ROLES,
    order=30,
    url_prefix="/supervision/reports/",
)
register_nav(
    "supervision",
    "督办单",
    "supervision:escalation_list",
    icon="exclamation-octagon",
    roles=READ_ROLES,
    order=40,
    url_prefix="/supervision/escalations/",
)
register_nav(
    "supervision",
    "整改统计",
    "supervision:problem_stats",
    icon="bar-chart",
    roles=READ_ROLES,
    order=50,
    url_prefix="/supervision/statistics/",
)

register_recyclable(Inspection, services.inspection_restore, "督导检查")
register_recyclable(SecretaryReport, services.report_restore, "书记述职评议")

from supervision import exporters, reminders, stats  # noqa: E402,F401
