"""What the accounts app contributes to shared registries (imported by core.registry.autodiscover)."""

from __future__ import annotations

from accounts import policies  # noqa: F401  (registers the scope policies)
from core.navigation import register_nav
from core.pickers import register_person_source
from core.scope import ADMIN_ROLES

register_nav(
    "system",
    "账号与权限",
    "accounts:user_list",
    icon="person-gear",
    roles=ADMIN_ROLES,
    order=10,
    url_prefix="/accounts/users/",
)


@register_person_source("accounts.linkable")
def _linkable_people(user):
    from accounts.selectors import linkable_people

    return linkable_people(user)
