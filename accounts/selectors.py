"""Every read the accounts pages need, scoped through the policies."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import RoleGrant, User
from accounts.policies import grantable_organizations, manageable_people
from core.scope import ADMIN_ROLES, Scope, policy_for
from orgs.selectors import organizations_visible, people_visible, text_query


def users_visible(user, action: str = "view") -> QuerySet[User]:
    return policy_for(User).visible(user, action)


def grants_in_scope(user) -> QuerySet[RoleGrant]:
    """Grants whose organization lies in the subtrees `user` administers."""
    q = Scope.of(user).org_q("organization__path", ADMIN_ROLES)
    qs = RoleGrant.objects.select_related("organization").order_by("organization__path", "role")
    return qs if q is None else qs.filter(q)


def users_list(user, *, q: str = "", role: str = "", active: str = "") -> QuerySet[User]:
    qs = (
        users_visible(user)
        .select_related("person__organization")
        .prefetch_related(Prefetch("grants", queryset=grants_in_scope(user), to_attr="scoped_grants"))
    )
    q = q.strip()
    if q:
        cond = Q(username__icontains=q) | Q(display_name__icontains=q)
        cond |= text_query(q, name="person__name", initials="person__name_initials", pinyin="person__name_pinyin")
        qs = qs.filter(cond)
    if role:
        qs = qs.filter(pk__in=RoleGrant.objects.filter(role=role).values("user_id"))
    if active == "1":
        qs = qs.filter(is_active=True)
    elif active == "0":
        qs = qs.filter(is_active=False)
    return qs.order_by("username")


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of these usernames are currently locked out by django-axes (one query)."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    usernames = list(usernames)
    if not usernames:
        return set()
    qs = AccessAttempt.objects.filter(username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off()
    if cool_off is not None:
        qs = qs.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(qs.values_list("username", flat=True))


def is_locked(username: str) -> bool:
    return username in locked_usernames([username])


def linkable_people(user, *, current=None):
    """People an administrator may link to an account: in their administered subtrees, without
    an account of their own (except the account being edited)."""
    qs = manageable_people(user, people_visible(user)).select_related("organization")
    free = Q(user__isnull=True)
    if current is not None and current.pk:
        free |= Q(user=current)
    return qs.filter(free).order_by("organization__path", "name")


def grantable_orgs(user):
    return grantable_organizations(user, organizations_visible(user, "change")).only("id", "name", "depth", "path")
