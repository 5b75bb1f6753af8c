"""The dashboard and work reports in the shared registries: navigation, the recycle bin, and the
alerts, charts, report section and next steps for orgs, meetings and tracked items (builtin)."""

from __future__ import annotations

from core.navigation import register_nav
from core.recyclebin import register_recyclable
from core.scope import ADMIN_ROLES, READ_ROLES
from reports import (
    builtin,  # noqa: F401  (alerts, charts, a report section and next steps for the existing areas)
    exporters,  # noqa: F401  (the statistics workbook)
    policies,  # noqa: F401  (the scope policy of saved reports)
)

register_nav(
    "reports",
    "驾驶舱",
    "reports:dashboard",
    icon="speedometer2",
    roles=READ_ROLES,
    order=10,
    url_prefix="/reports/dashboard/",
)
register_nav(
    "reports",
    "工作报告",
    "reports:draft_list",
    icon="file-earmark-text",
    roles=READ_ROLES,
    order=20,
    url_prefix="/reports/drafts/",
)
register_nav(
    "reports",
    "报告模板",
    "reports:template_page",
    icon="file-earmark-word",
    roles=ADMIN_ROLES,
    order=30,
    url_prefix="/reports/template/",
)


def _register_recyclable() -> None:
    from reports.models import ReportDraft
    from reports.services import draft_restore

    register_recyclable(ReportDraft, lambda *, actor, obj: draft_restore(actor=actor, draft=obj), "工作报告")


_register_recyclable()
