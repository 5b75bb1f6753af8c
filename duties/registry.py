"""The responsibility area's entries in the shared registries: navigation, statistics, report
sections and alerts, exporters, and the recycle bin."""

from __future__ import annotations

from accounts.models import Role
from core.navigation import register_nav
from core.recyclebin import register_recyclable
from core.scope import READ_ROLES
from duties import coverage, policies  # noqa: F401  (the scope policies; coverage's change listeners)

register_nav(
    "supervision",
    "主体责任清单",
    "duties:responsibility",
    icon="list-check",
    roles=READ_ROLES,
    order=50,
    url_prefix="/duties/responsibility/",
)
register_nav(
    "supervision",
    "一岗双责",
    "duties:dual_list",
    icon="person-badge",
    roles=READ_ROLES,
    order=55,
    url_prefix="/duties/dual/",
)
register_nav(
    "supervision",
    "联系支部",
    "duties:liaison_overview",
    icon="signpost-split",
    roles=READ_ROLES,
    order=60,
    url_prefix="/duties/liaison/",
)
register_nav(
    "supervision",
    "廉政风险点",
    "duties:risk_list",
    icon="shield-exclamation",
    roles=READ_ROLES,
    order=65,
    url_prefix="/duties/risks/",
)
register_nav(
    "supervision",
    "履职清单",
    "duties:catalogue",
    icon="diagram-3",
    roles=(*READ_ROLES, Role.MEMBER),
    order=70,
    url_prefix="/duties/catalogue/",
)


def _register_recyclables() -> None:
    from duties import services
    from duties.entities import ENTITIES

    for entity in ENTITIES.values():
        register_recyclable(
            entity.model,
            lambda *, actor, obj: services.record_restore(actor=actor, obj=obj),
            entity.label,
        )


_register_recyclables()

from duties import exporters, stats  # noqa: E402,F401  (exporters, statistics, report sections, alerts)
