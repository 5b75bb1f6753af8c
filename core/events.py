"""Record-changed listeners: derived data (points, compliance inputs) follows its source records.

A service that creates, changes, deletes or restores a record calls `record_changed(instance)`
inside its transaction; every listener registered for that model runs there too, so derived rows
commit or roll back with the change. Listeners must be idempotent (recompute from the record's
current state, which may be soft-deleted) — see points.sources. Bulk writers that bypass the
per-record services (the Excel people import) call `records_changed(model, pks)` once instead,
answered by `listen_bulk` listeners. Moving an organization under another parent rewrites the
path prefix of its subtree and of every `org_path` copy (orgs.services), then announces
`subtree_moved(old_prefix, new_prefix)` to `listen_subtree_moved` listeners: derived rows keyed by
an ancestor's path (counts summed up the tree) follow there.
"""

from __future__ import annotations

from collections.abc import Callable

_LISTENERS: dict[str, list[Callable]] = {}
_BULK_LISTENERS: dict[str, list[Callable]] = {}
_MOVE_LISTENERS: list[Callable] = []


def listen(model_label: str):
    """Register `func(instance)` for changes of `model_label` ("meetings.meeting")."""

    def decorator(func: Callable) -> Callable:
        _LISTENERS.setdefault(model_label.lower(), []).append(func)
        return func

    return decorator


def record_changed(instance) -> None:
    for func in _LISTENERS.get(instance._meta.label_lower, []):
        func(instance)


def listen_bulk(model_label: str):
    """Register `func(pks)` for bulk writes of `model_label` (an import that writes many rows at
    once without the per-record services): derived data is repaired set-based for those rows."""

    def decorator(func: Callable) -> Callable:
        _BULK_LISTENERS.setdefault(model_label.lower(), []).append(func)
        return func

    return decorator


def records_changed(model, pks) -> None:
    """A bulk writer changed (created or updated) the rows `pks` of `model`, inside its transaction."""
    pks = list(pks)
    if not pks:
        return
    for func in _BULK_LISTENERS.get(model._meta.label_lower, []):
        func(pks)


def listen_subtree_moved(func: Callable) -> Callable:
    """Register `func(old_prefix, new_prefix)`, called after an organization's subtree moved (its
    paths and every `org_path` copy already rewritten), inside the moving transaction."""
    _MOVE_LISTENERS.append(func)
    return func


def subtree_moved(old_prefix: str, new_prefix: str) -> None:
    for func in _MOVE_LISTENERS:
        func(old_prefix, new_prefix)
