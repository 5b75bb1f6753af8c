"""The recycle bin (回收站): soft-deleted records that administrators can restore.

Apps register each soft-deletable model with the service that restores it; the bin lists the
deleted rows within an administrator's scope (through the model's policy) and calls that service,
which checks whatever must hold for the row to come back and writes the audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.http import Http404

from core.scope import ADMIN_ROLES, Scope, policy_for


@dataclass
class Recyclable:
    model: type[models.Model]
    restore: Callable  # restore(actor=..., obj=...) -> the restored object
    label: str

    @property
    def key(self) -> str:
        return self.model._meta.label_lower  # "orgs.person"


_REGISTRY: dict[str, Recyclable] = {}


def register_recyclable(model: type[models.Model], restore_func: Callable, label: str) -> Recyclable:
    """`restore_func(actor=..., obj=...)` restores one row (a domain service)."""
    if not hasattr(model, "all_objects") or not hasattr(model, "deleted_at"):
        raise TypeError(f"{model.__name__} is not a soft-delete model")
    entry = Recyclable(model=model, restore=restore_func, label=label)
    _REGISTRY[entry.key] = entry
    return entry


def registered_recyclables() -> list[Recyclable]:
    return list(_REGISTRY.values())


def recyclable(key: str) -> Recyclable:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise Http404("未知的回收站类型") from None


def deleted_in_scope(user, entry: Recyclable) -> models.QuerySet:
    """Deleted rows of `entry.model` inside the administrator scope of `user`, newest first."""
    model = entry.model
    qs = model.all_objects.filter(deleted_at__isnull=False).select_related("deleted_by", "deleted_by__person")
    if not Scope.of(user).has_role(*ADMIN_ROLES):
        return qs.none()
    policy = policy_for(model)
    q = Scope.of(user).org_q(policy.org_path_lookup, ADMIN_ROLES)
    if q is not None:
        qs = qs.filter(q)
    related = [f.name for f in model._meta.concrete_fields if f.name in ("organization", "parent") and f.is_relation]
    if related:
        qs = qs.select_related(*related)
    return qs.order_by("-deleted_at", "-pk")


def get_deleted_or_404(user, entry: Recyclable, pk) -> models.Model:
    try:
        return deleted_in_scope(user, entry).get(pk=pk)
    except (entry.model.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在、未被删除或您无权访问") from None


def restore_item(*, actor, entry: Recyclable, obj: models.Model) -> models.Model:
    return entry.restore(actor=actor, obj=obj)
