"""Generic write helpers that the domain services build on (create, update, soft delete, restore).

Each runs in one transaction, locks the row it changes, checks the version the user saw, saves
with update_fields and writes exactly one audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from core import audit
from core.concurrency import check_version
from core.events import record_changed

audit.register_action("core.object.restored", "从回收站恢复")


def create_instance(
    *, actor, instance: models.Model, fields: Iterable[str], action: str, organization=None
) -> models.Model:
    fields = list(fields)
    with transaction.atomic():
        instance.full_clean()
        instance.save()
        audit.record(
            actor=actor,
            action=action,
            obj=instance,
            organization=organization if organization is not None else getattr(instance, "organization", None),
            changes=audit.diff({}, audit.snapshot(instance, fields)),
        )
        record_changed(instance)
    return instance


def update_instance(
    *,
    actor,
    instance: models.Model,
    data: dict[str, Any],
    action: str,
    expected_version: int | None = None,
    organization=None,
    extra_update_fields: Iterable[str] = (),
    before_save=None,
) -> models.Model:
    """Apply `data` to a locked copy of `instance`; refuse if someone saved meanwhile."""
    model = type(instance)
    manager = getattr(model, "all_objects", model._default_manager)
    with transaction.atomic():
        locked = manager.select_for_update().get(pk=instance.pk)
        check_version(locked, expected_version)
        fields = list(data)
        before = audit.snapshot(locked, fields)
        for key, value in data.items():
            setattr(locked, key, value)
        if before_save is not None:
            before_save(locked)
        after = audit.snapshot(locked, fields)
        changes = audit.diff(before, after)
        if not changes:
            return locked
        locked.full_clean()
        locked.version += 1
        changes["version"] = [locked.version - 1, locked.version]
        changed = [f for f in fields if f in changes]
        locked.save(update_fields=[*changed, *extra_update_fields, "version"])
        audit.record(
            actor=actor,
            action=action,
            obj=locked,
            organization=organization if organization is not None else getattr(locked, "organization", None),
            changes=changes,
        )
        record_changed(locked)
    return locked


def soft_delete(*, actor, instance: models.Model, action: str, organization=None) -> models.Model:
    model = type(instance)
    with transaction.atomic():
        locked = model.all_objects.select_for_update().get(pk=instance.pk)
        if locked.deleted_at is not None:
            return locked
        locked.deleted_at = timezone.now()
        locked.deleted_by = actor if getattr(actor, "pk", None) else None
        locked.version += 1
        locked.save(update_fields=["deleted_at", "deleted_by", "version"])
        audit.record(
            actor=actor,
            action=action,
            obj=locked,
            organization=organization if organization is not None else getattr(locked, "organization", None),
            changes={
                "deleted_at": [None, locked.deleted_at.isoformat()],
                "version": [locked.version - 1, locked.version],
            },
        )
        record_changed(locked)
    return locked


def restore(*, actor, instance: models.Model, organization=None, validate=None) -> models.Model:
    model = type(instance)
    with transaction.atomic():
        locked = model.all_objects.select_for_update().get(pk=instance.pk)
        if locked.deleted_at is None:
            return locked
        if validate is not None:
            validate(locked)
        old = locked.deleted_at
        locked.deleted_at = None
        locked.deleted_by = None
        locked.version += 1
        locked.save(update_fields=["deleted_at", "deleted_by", "version"])
        audit.record(
            actor=actor,
            action="core.object.restored",
            obj=locked,
            organization=organization if organization is not None else getattr(locked, "organization", None),
            changes={"deleted_at": [old.isoformat(), None], "version": [locked.version - 1, locked.version]},
        )
        record_changed(locked)
    return locked
