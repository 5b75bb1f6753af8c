"""The audit trail: every service calls `audit.record(...)` inside its transaction.

Action codes are dotted and registered (``orgs.person.updated``) so the viewer can show a Chinese
label and filter by them. Sensitive fields are masked before they are stored.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from core.middleware import get_current_ip
from core.models import AuditEntry

_ACTIONS: dict[str, str] = {}

# Field names whose values are never stored in clear in the audit trail.
SENSITIVE_FIELDS = {"id_number", "password", "secret", "token"}


# Labels for change keys that are not model fields (summaries written by services).
_FIELD_LABELS: dict[str, str] = {
    "attendance": "出勤情况",
    "grant": "角色授权",
    "deleted_at": "删除时间",
    "rows": "行数",
    "created": "新增",
    "updated": "更新",
    "unchanged": "无变化",
    "file": "文件",
    "password": "密码",
    "status": "状态",
    "due_on": "截止日期",
    "reason": "理由",
}


def register_field_label(name: str, label: str) -> None:
    _FIELD_LABELS[name] = label


def field_label(name: str) -> str | None:
    return _FIELD_LABELS.get(name)


def register_action(code: str, label: str) -> str:
    _ACTIONS[code] = label
    return code


def action_label(code: str) -> str:
    return _ACTIONS.get(code, code)


def registered_actions() -> dict[str, str]:
    return dict(sorted(_ACTIONS.items()))


def mask_id_number(value: str | None) -> str:
    """370602199001011234 -> 370602********1234."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _mask(field: str, value: Any) -> Any:
    if field in SENSITIVE_FIELDS and value not in (None, ""):
        if field == "id_number":
            return mask_id_number(value)
        return "******"
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values of `obj` as people read them (FKs and choices by their display text)."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.is_relation and field.many_to_one:
            data[name] = _plain(getattr(obj, name))
        elif field.choices:
            value = getattr(obj, field.attname)
            data[name] = dict(field.flatchoices).get(value, value) if value not in (None, "") else value
        elif isinstance(field, models.BooleanField):
            data[name] = "是" if getattr(obj, field.attname) else "否"
        else:
            data[name] = _plain(getattr(obj, field.attname))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{"field": [old, new]} for the fields that changed, sensitive values masked."""
    changes = {}
    for key in after:
        old, new = before.get(key), after[key]
        if not before and new in (None, "", "否"):
            continue  # a creation lists only the values that were filled in
        if old != new:
            changes[key] = [_mask(key, old), _mask(key, new)]
    return changes


def build_entry(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    organization=None,
    changes: dict | None = None,
    object_repr: str | None = None,
    content_type: ContentType | None = None,
    object_id=None,
) -> AuditEntry:
    """An unsaved audit entry; `record` saves one, `record_many` inserts many at once.

    `content_type` + `object_id` stand in for `obj` when the caller has only the row's key."""
    if action not in _ACTIONS:
        raise ValueError(f"未注册的审计操作代码：{action}")
    entry = AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_full_name() or actor.username) if getattr(actor, "pk", None) else "系统",
        action=action,
        organization=organization,
        changes={k: v for k, v in (changes or {}).items()},
        ip_address=get_current_ip(),
    )
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        entry.object_id = str(obj.pk)
        entry.object_repr = (object_repr or str(obj))[:300]
    else:
        if content_type is not None:
            entry.content_type, entry.object_id = content_type, str(object_id)
        if object_repr:
            entry.object_repr = object_repr[:300]
    return entry


def _require_atomic(name: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"audit.{name} must be called inside transaction.atomic")


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    organization=None,
    changes: dict | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    """Write one audit entry. Must run inside the caller's transaction."""
    entry = build_entry(
        actor=actor, action=action, obj=obj, organization=organization, changes=changes, object_repr=object_repr
    )
    _require_atomic("record")
    entry.save()
    return entry


def record_many(entries: list[AuditEntry], *, batch_size: int = 1000) -> None:
    """Insert entries made by `build_entry` in bulk (set-based jobs such as 督办), in the caller's transaction."""
    _require_atomic("record_many")
    AuditEntry.objects.bulk_create(entries, batch_size=batch_size)


def entries_for(obj: models.Model):
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return AuditEntry.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")
