"""Scope policies for points and the 先锋 selection (one per model).

- PointEntry: read roles see the entries filed under their subtree; a member sees their own; the
  branch (write roles) enters and withdraws manual entries; only the committee (administrators)
  approves or rejects them.
- VanguardRound: read roles of the round's organization see it; administrators run it. The 公示
  of a round is public to everyone under that organization (see `notice_visible`).
"""

from __future__ import annotations

from django.db.models import Q

from core.scope import ADMIN_ROLES, READ_ROLES, Policy, Scope, register_policy
from points.models import PointEntry, RoundStatus, VanguardRound


@register_policy
class PointEntryPolicy(Policy):
    model = PointEntry
    org_path_lookup = "org_path"
    approve_roles = ADMIN_ROLES

    def roles_for(self, action: str) -> tuple[str, ...]:
        if action == "approve":
            return self.approve_roles
        return super().roles_for(action)

    def own_q(self, scope: Scope, action: str):
        if action == "view" and scope.person_id:
            return Q(person_id=scope.person_id)
        return None

    def org_of(self, obj):
        return _PathOrg(obj.org_path)


class _PathOrg:
    """Scope.covers only reads `.path`: an entry is covered through the path it is filed under."""

    def __init__(self, path: str):
        self.path = path


@register_policy
class VanguardRoundPolicy(Policy):
    model = VanguardRound
    org_path_lookup = "org_path"
    view_roles = READ_ROLES
    change_roles = ADMIN_ROLES
    delete_roles = ADMIN_ROLES

    def org_of(self, obj):
        return _PathOrg(obj.org_path)


NOTICE_STATUSES = (RoundStatus.PUBLICIZED, RoundStatus.COMPLETED)


def notice_visible(user):
    """Rounds whose 公示 or result a user may read: those of the organizations above the user's own
    (their person's organization) and of their read scope."""
    qs = VanguardRound.objects.filter(status__in=NOTICE_STATUSES)
    if user is None or not user.is_authenticated:
        return qs.none()
    scope = Scope.of(user)
    q = scope.org_q("org_path", READ_ROLES)
    if q is None:
        return qs
    person_path = _person_path(user)
    if person_path:
        ancestors = [person_path[: i + 1] for i, ch in enumerate(person_path) if ch == "."]
        q |= Q(org_path__in=ancestors)
    return qs.filter(q)


def _person_path(user) -> str:
    from orgs.models import Person

    person_id = Scope.of(user).person_id
    if not person_id:
        return ""
    return Person.all_objects.filter(pk=person_id).values_list("org_path", flat=True).first() or ""
