"""Exporters of the organizations app: the people ledger and the organization tree.

Their columns are exactly the import template's columns (orgs.importers), so an exported file
can be edited and imported again; importing it unchanged changes nothing.
"""

from __future__ import annotations

from django.db.models import BooleanField, Case, Value, When

from core import audit
from core.audit import mask_id_number
from core.exporters import ListExporter, register_exporter
from core.scope import Scope, policy_for
from orgs.importers import (
    ORG_IMPORT_FIELDS,
    PERSON_IMPORT_FIELDS,
    organization_export_values,
    person_export_values,
)
from orgs.models import Person

audit.register_action("orgs.organization.exported", "导出党组织")


@register_exporter
class PeopleExporter(ListExporter):
    """人员台账. ID numbers are exported in full only for the rows the user may read in full
    (`PersonPolicy.id_number_visible_q`); the audit entry records how many full numbers left."""

    code = "orgs.people"
    label = "人员台账"
    sheet_title = "人员"
    columns = [(f.header, f.width) for f in PERSON_IMPORT_FIELDS]
    audit_action = "orgs.person.exported"

    def __init__(self, user=None, **options):
        super().__init__(user, **options)
        self.full_id_numbers = 0

    def rows(self, queryset):
        visible_q = policy_for(Person).id_number_visible_q(self.user)
        if visible_q is None:
            flag = Value(True)
        else:
            flag = Case(When(visible_q, then=Value(True)), default=Value(False), output_field=BooleanField())
        queryset = queryset.select_related("organization", "unit", "department").annotate(id_number_visible=flag)
        for person in self.iterate(queryset):
            if person.id_number and person.id_number_visible:
                self.full_id_numbers += 1
                number = person.id_number
            else:
                number = mask_id_number(person.id_number)
            yield person_export_values(person, number)

    def audit_changes(self):
        return {"full_id_numbers": [None, self.full_id_numbers]}

    def audit_organization(self):
        return Scope.of(self.user).home_organization if self.user is not None else None


@register_exporter
class OrganizationExporter(ListExporter):
    code = "orgs.organizations"
    label = "党组织"
    sheet_title = "党组织"
    columns = [(f.header, f.width) for f in ORG_IMPORT_FIELDS]
    audit_action = "orgs.organization.exported"

    def rows(self, queryset):
        for org in self.iterate(queryset.select_related("parent")):
            yield organization_export_values(org)

    def audit_organization(self):
        return Scope.of(self.user).home_organization if self.user is not None else None
