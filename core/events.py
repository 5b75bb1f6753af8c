"""Record-changed listeners: derived data (points, compliance inputs) follows its source records.

A service that creates, changes, deletes or restores a record calls `record_changed(instance)`
inside its transaction; every listener registered for that model runs there too, so derived rows
commit or roll back with the change. Listeners must be idempotent (recompute from the record's
current state, which may be soft-deleted) — see points.sources.
"""

from __future__ import annotations

from collections.abc import Callable

_LISTENERS: dict[str, list[Callable]] = {}


def listen(model_label: str):
    """Register `func(instance)` for changes of `model_label` ("meetings.meeting")."""

    def decorator(func: Callable) -> Callable:
        _LISTENERS.setdefault(model_label.lower(), []).append(func)
        return func

    return decorator


def record_changed(instance) -> None:
    for func in _LISTENERS.get(instance._meta.label_lower, []):
        func(instance)
