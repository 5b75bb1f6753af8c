"""Optimistic concurrency: a form carries the version it was opened at; a stale save is refused."""

from __future__ import annotations

from django.db import models


class ConcurrentEditError(Exception):
    """The record was changed by someone else since the form was opened."""

    def __init__(self, obj: models.Model, entries: list):
        self.obj = obj
        self.entries = entries  # audit entries written since the form was opened
        names = "、".join(sorted({e.actor_name for e in entries})) or "其他用户"
        super().__init__(f"该记录已被{names}修改，请查看对方的修改后重新编辑。您的修改尚未保存。")

    @property
    def changed_fields(self) -> dict[str, list]:
        """{field label: [value when the form was opened, current value]}."""
        merged: dict[str, list] = {}
        for entry in self.entries:
            for field, old, new in entry.labelled_changes():
                if field in merged:
                    merged[field][1] = new
                else:
                    merged[field] = [old, new]
        return merged


class VersionedModel(models.Model):
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        abstract = True


def check_version(obj: models.Model, expected: int | None) -> None:
    """Call on a row locked with select_for_update. Raises ConcurrentEditError if stale."""
    if expected is None or obj.version == expected:
        return
    from core.audit import entries_for

    since = [
        e
        for e in entries_for(obj).order_by("at", "id")
        if isinstance(e.changes.get("version"), list) and e.changes["version"][1] > expected
    ]
    raise ConcurrentEditError(obj, since)
