"""Scope policies for accounts and role grants.

Only administrators manage accounts. A system administrator manages every account; a committee
administrator (机关党委管理员) sees the accounts that hold a grant inside their subtree or whose
linked person belongs to it, and may change only those whose every grant lies inside that
subtree and which are not system administrators — otherwise resetting a password would hand
them powers they do not have. Deny by default.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role, RoleGrant, User
from core.scope import ADMIN_ROLES, Policy, Scope, register_policy


def _admin_q(scope: Scope, lookup: str) -> Q | None:
    """Subtrees the user administers (None: everything, Q(pk__in=[]): nothing)."""
    return scope.org_q(lookup, ADMIN_ROLES)


def can_grant(actor, role: str, organization) -> bool:
    """May `actor` grant (or revoke) `role` on `organization`?"""
    if actor is None or not actor.is_authenticated or organization is None or role not in Role.values:
        return False
    scope = Scope.of(actor)
    if scope.is_sysadmin:
        return True
    if role == Role.SYSADMIN:
        return False
    # Inside the own subtree only: this also forbids granting committee_admin above the own org.
    return scope.covers(organization, (Role.COMMITTEE_ADMIN,))


@register_policy
class UserPolicy(Policy):
    model = User
    view_roles = ADMIN_ROLES
    change_roles = ADMIN_ROLES
    delete_roles = ()

    def base_queryset(self) -> QuerySet[User]:
        return User.objects.all()

    def visible(self, user, action: str = "view", queryset=None):
        qs = self.base_queryset() if queryset is None else queryset
        if user is None or not user.is_authenticated or action not in ("view", "change"):
            return qs.none()
        scope = Scope.of(user)
        if not scope.has_role(*ADMIN_ROLES):
            return qs.none()
        if scope.is_sysadmin:
            return qs
        grant_q = _admin_q(scope, "organization__path")
        person_q = _admin_q(scope, "person__organization__path")
        in_scope = RoleGrant.objects.filter(grant_q).values("user_id")
        qs = qs.filter(Q(pk__in=in_scope) | person_q)
        if action == "change":
            outside = RoleGrant.objects.filter(~grant_q | Q(role=Role.SYSADMIN)).values("user_id")
            qs = qs.exclude(pk__in=outside).exclude(is_superuser=True)
        return qs

    def can(self, user, action: str, obj) -> bool:
        return self.visible(user, action).filter(pk=obj.pk).exists()

    def can_add(self, user, organization=None) -> bool:
        return user is not None and user.is_authenticated and Scope.of(user).has_role(*ADMIN_ROLES)


@register_policy
class RoleGrantPolicy(Policy):
    model = RoleGrant
    view_roles = ADMIN_ROLES
    change_roles = ADMIN_ROLES
    delete_roles = ADMIN_ROLES

    def visible(self, user, action: str = "view", queryset=None):
        qs = super().visible(user, action, queryset)
        if action in ("change", "delete") and not Scope.of(user).is_sysadmin:
            qs = qs.exclude(role=Role.SYSADMIN)
        return qs

    def can(self, user, action: str, obj) -> bool:
        if action in ("change", "delete"):
            return can_grant(user, obj.role, obj.organization)
        return super().can(user, action, obj)


def grantable_organizations(user, organizations: QuerySet) -> QuerySet:
    """Narrow a queryset of organizations to those `user` may grant roles on."""
    q = _admin_q(Scope.of(user), "path")
    return organizations if q is None else organizations.filter(q)


def grantable_roles(user) -> list[tuple[str, str]]:
    scope = Scope.of(user)
    return [(value, label) for value, label in Role.choices if value != Role.SYSADMIN or scope.is_sysadmin]


def manageable_people(user, people: QuerySet) -> QuerySet:
    """People an administrator may link to an account: inside the subtrees they administer."""
    q = _admin_q(Scope.of(user), "organization__path")
    return people if q is None else people.filter(q)
