"""Excel export of every list of this area: the entity's columns (duties.entities), which are also
its import template's, so an exported list can be edited and imported again. Workflow charts are
exported one row per step, post risk points one row per control measure."""

from __future__ import annotations

from core.exporters import Column, ListExporter, register_exporter
from core.scope import Scope
from duties import services
from duties.entities import ENTITIES, Entity


class EntityExporter(ListExporter):
    entity: Entity = None

    def __init__(self, user=None, **options):
        super().__init__(user, **options)

    def get_columns(self):
        return [Column(c.header, c.width) for c in self.entity.cols]

    def rows(self, queryset):
        for obj in self.iterate(queryset):
            yield from self.entity.excel_rows(obj)

    def audit_organization(self):
        return Scope.of(self.user).home_organization if self.user is not None else None


def prepare_queryset(entity: Entity, qs):
    """What the export reads besides the list's own joins."""
    if entity.key == "flowcharts":
        return qs.prefetch_related("steps")
    return qs


EXPORTERS: dict[str, type[EntityExporter]] = {}
for _key, _entity in ENTITIES.items():
    if _entity.excel_key:
        continue
    _cls = type(
        f"{_key.title().replace('_', '')}Exporter",
        (EntityExporter,),
        {
            "entity": _entity,
            "code": f"duties.{_key}",
            "label": _entity.label if _key != "items" else "主体责任清单",
            "sheet_title": _entity.label,
            "audit_action": services.spec_for(_entity.model).action("exported"),
        },
    )
    EXPORTERS[_key] = register_exporter(_cls)
