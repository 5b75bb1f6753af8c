"""What `core` contributes to the shared registries: system pages in the navigation and the
models the recycle bin can restore. Imported once at start-up, after every app's registry."""

from __future__ import annotations

from core import attachments, notifications, reminders, rules  # noqa: F401  (register audit actions)
from core.navigation import register_nav
from core.recyclebin import register_recyclable
from core.scope import ADMIN_ROLES

register_nav(
    "system", "规则配置", "core:rule_list", icon="sliders", roles=ADMIN_ROLES, order=50, url_prefix="/system/rules/"
)
register_nav(
    "system",
    "审计日志",
    "core:audit_list",
    icon="journal-text",
    roles=ADMIN_ROLES,
    order=60,
    url_prefix="/system/audit/",
)
register_nav(
    "system",
    "回收站",
    "core:recycle_bin",
    icon="trash3",
    roles=ADMIN_ROLES,
    order=70,
    url_prefix="/system/recycle-bin/",
)


def _register_recyclables() -> None:
    from orgs.models import Organization, Person
    from orgs.services import organization_restore, person_restore

    register_recyclable(Person, lambda *, actor, obj: person_restore(actor=actor, person=obj), "人员")
    register_recyclable(Organization, lambda *, actor, obj: organization_restore(actor=actor, org=obj), "党组织")

    from meetings.models import Meeting
    from meetings.services import meeting_restore

    register_recyclable(Meeting, lambda *, actor, obj: meeting_restore(actor=actor, meeting=obj), "会议")


_register_recyclables()
