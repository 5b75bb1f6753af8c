"""Scope and permission: one policy per model, used by every view, selector, export and report.

A user's roles are granted on organizations and cover their subtrees. A policy answers
"which objects of this model may the user see/change" (a queryset) and "may the user do X to
this object". Everything not granted is denied. Objects are fetched through `Policy.get_or_404`,
so an object outside the user's scope is a 404, never a leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from accounts.models import Role

READ_ROLES = (
    Role.SYSADMIN,
    Role.COMMITTEE_ADMIN,
    Role.BRANCH_SECRETARY,
    Role.DISCIPLINE,
    Role.LEADER,
)
WRITE_ROLES = (Role.SYSADMIN, Role.COMMITTEE_ADMIN, Role.BRANCH_SECRETARY)
ADMIN_ROLES = (Role.SYSADMIN, Role.COMMITTEE_ADMIN)


def _minimal(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by an ancestor path."""
    result: list[str] = []
    for p in sorted(set(paths)):
        if not any(p.startswith(kept) for kept in result):
            result.append(p)
    return result


class Scope:
    """The roles a user holds, with the organization paths each covers. Cached per user object."""

    def __init__(self, user):
        self.user = user
        self._by_role: dict[str, list[str]] = {}
        if user is not None and user.is_authenticated and user.is_active:
            for role, path in user.grants.values_list("role", "organization__path"):
                self._by_role.setdefault(role, []).append(path)
        self.is_superuser = bool(getattr(user, "is_superuser", False))

    @classmethod
    def of(cls, user) -> Scope:
        scope = getattr(user, "_scope_cache", None)
        if scope is None:
            scope = cls(user)
            if user is not None:
                user._scope_cache = scope
        return scope

    @property
    def roles(self) -> set[str]:
        roles = set(self._by_role)
        if self.is_superuser:
            roles.add(Role.SYSADMIN)
        return roles

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_sysadmin(self) -> bool:
        return Role.SYSADMIN in self.roles

    def paths(self, roles: Iterable[str]) -> list[str] | None:
        """Org paths covered by any of `roles`; None means everything (system administrator)."""
        roles = tuple(roles)
        if self.is_sysadmin and Role.SYSADMIN in roles:
            return None
        found: list[str] = []
        for role in roles:
            found.extend(self._by_role.get(role, []))
        return _minimal(found)

    def org_q(self, lookup: str, roles: Iterable[str]) -> Q | None:
        """A Q filtering `lookup` (a path field, e.g. "organization__path") to the subtrees.

        Returns None for "no restriction" and Q(pk__in=[]) for "nothing".
        """
        paths = self.paths(roles)
        if paths is None:
            return None
        if not paths:
            return Q(pk__in=[])
        q = Q()
        for p in paths:
            q |= Q(**{f"{lookup}__startswith": p})
        return q

    def covers(self, org, roles: Iterable[str]) -> bool:
        if org is None:
            return False
        paths = self.paths(roles)
        if paths is None:
            return True
        return any(org.path.startswith(p) for p in paths)

    @cached_property
    def person_id(self) -> int | None:
        return getattr(self.user, "person_id", None)

    @cached_property
    def granted_organizations(self) -> list:
        """The organizations the user holds a role on (the choices of the top bar's scope switch)."""
        from orgs.models import Organization

        paths = {p for ps in self._by_role.values() for p in ps}
        return list(Organization.objects.filter(path__in=paths).order_by("path")) if paths else []

    @cached_property
    def home_organization(self):
        """The organization a user works in: the one chosen in the top bar (if still granted), the
        first granted one, else their own person's."""
        from orgs.models import Organization

        chosen = getattr(self.user, "_chosen_scope_org_id", None)
        if chosen:
            for org in self.granted_organizations:
                if org.pk == chosen:
                    return org

        paths = [p for ps in self._by_role.values() for p in ps]
        if self.is_superuser or self.is_sysadmin:
            root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
            if root:
                return root
        if paths:
            # From the granted organizations (one query, which the top bar's scope switch reads too).
            shortest = sorted(paths, key=len)[0]
            return next((org for org in self.granted_organizations if org.path == shortest), None)
        if self.person_id:
            return Organization.objects.filter(people__id=self.person_id).first()
        return None


class Policy:
    """Default policy: read roles see the subtree, write roles change it, deny otherwise."""

    model: type[models.Model]
    org_path_lookup = "organization__path"
    view_roles: tuple[str, ...] = READ_ROLES
    change_roles: tuple[str, ...] = WRITE_ROLES
    delete_roles: tuple[str, ...] = WRITE_ROLES

    def roles_for(self, action: str) -> tuple[str, ...]:
        return {
            "view": self.view_roles,
            "add": self.change_roles,
            "change": self.change_roles,
            "delete": self.delete_roles,
        }.get(action, ())

    def base_queryset(self) -> models.QuerySet:
        return self.model._default_manager.all()

    def own_q(self, scope: Scope, action: str) -> Q | None:
        """Extra objects a user may see as themselves (e.g. a member's own record)."""
        return None

    def visible(self, user, action: str = "view", queryset: models.QuerySet | None = None):
        qs = self.base_queryset() if queryset is None else queryset
        if user is None or not user.is_authenticated:
            return qs.none()
        scope = Scope.of(user)
        q = scope.org_q(self.org_path_lookup, self.roles_for(action))
        own = self.own_q(scope, action)
        if q is None:
            return qs
        if own is not None:
            q = q | own
        return qs.filter(q)

    def org_of(self, obj):
        return obj.organization

    def can(self, user, action: str, obj) -> bool:
        if user is None or not user.is_authenticated:
            return False
        scope = Scope.of(user)
        if scope.covers(self.org_of(obj), self.roles_for(action)):
            return True
        own = self.own_q(scope, action)
        if own is None:
            return False
        return type(obj)._default_manager.filter(own, pk=obj.pk).exists()

    def can_add(self, user, organization) -> bool:
        if user is None or not user.is_authenticated:
            return False
        return Scope.of(user).covers(organization, self.roles_for("add"))

    def get_for(self, user, action: str, queryset=None, **lookup):
        """Fetch for an action: 404 if the user cannot even see it, 403 if they see it but may
        not do `action` (e.g. a leader opening an edit page)."""
        obj = self.get_or_404(user, "view", queryset, **lookup)
        if action != "view" and not self.can(user, action, obj):
            raise PermissionDenied("您没有执行此操作的权限")
        return obj

    def get_or_404(self, user, action: str = "view", queryset=None, **lookup):
        qs = self.visible(user, action, queryset)
        try:
            return qs.get(**lookup)
        except (qs.model.DoesNotExist, ValueError, TypeError):
            raise Http404("记录不存在或您无权访问") from None


_POLICIES: dict[type[models.Model], Policy] = {}


def register_policy(policy_cls: type[Policy]) -> type[Policy]:
    _POLICIES[policy_cls.model] = policy_cls()
    return policy_cls


def policy_for(model_or_obj) -> Policy:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    model = model._meta.concrete_model
    try:
        return _POLICIES[model]
    except KeyError:
        raise LookupError(f"No policy registered for {model.__name__}: deny by default") from None
