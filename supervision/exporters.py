"""Excel exports of the supervision lists, laid out like their import templates (so an exported
list can be imported again): the rectification ledger, inspections with their findings, and
secretaries' reports with their problems. They follow the lists' filters."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from core import audit
from core.exporters import (
    Column,
    WorkbookExporter,
    register_exporter,
)
from supervision.importers import (
    CHILD_PROBLEM_FIELDS,
    INSPECTION_FIELDS,
    PROBLEM_EXPORT_ONLY,
    PROBLEM_FIELDS,
    REPORT_FIELDS,
    InspectionImporter,
    ReportImporter,
    problem_export_values,
)
from supervision.models import Problem

audit.register_action("supervision.problem.exported", "导出问题整改台账")
audit.register_action("supervision.inspection.exported", "导出督导检查")
audit.register_action("supervision.report.exported", "导出书记述职评议")


@register_exporter
class ProblemExporter(WorkbookExporter):
    code = "supervision.problems"
    label = "问题整改台账"
    sheet_title = "问题整改台账"
    columns = [Column(f.header, f.width) for f in PROBLEM_FIELDS] + [Column(h, 12) for h in PROBLEM_EXPORT_ONLY]
    audit_action = "supervision.problem.exported"

    def rows(self, queryset):
        queryset = queryset.select_related(
            "organization", "inspection", "responsible_person", "responsible_leader", "escalation"
        )
        for p in self.iterate(queryset):
            yield problem_export_values(p)


def _child_rows(problems, number_of) -> Any:
    for p in problems:
        yield [
            number_of(p),
            p.organization.name,
            p.organization.code,
            p.description,
            p.measures,
            p.responsible_person.name if p.responsible_person_id else "",
            p.responsible_leader.name if p.responsible_leader_id else "",
            p.due_on,
            p.get_status_display(),
        ]


class _TwoSheetExporter(WorkbookExporter):
    importer = None
    link = ""  # the problem's FK to the record

    def main_values(self, obj) -> list[Any]:
        raise NotImplementedError

    def write(self, queryset, target) -> int:
        wb = Workbook(write_only=True)
        main_columns = [Column(f.header, f.width) for f in self.importer.fields] + [
            Column("问题数", 8),
            Column("未销号", 8),
        ]
        count = self.append_sheet(
            wb, self.importer.sheet_title, main_columns, (self.main_values(o) for o in self.iterate(queryset))
        )
        problems = (
            Problem.objects.filter(**{f"{self.link}__in": queryset.order_by().values("pk")})
            .select_related("organization", "responsible_person", "responsible_leader")
            .order_by(f"{self.link}_id", "id")
        )
        child_columns = (
            [Column(self.importer.key_header, 10)]
            + [Column(f.header, f.width) for f in CHILD_PROBLEM_FIELDS]
            + [Column("状态", 8)]
        )
        self.append_sheet(
            wb,
            self.importer.child_sheet,
            child_columns,
            _child_rows(self.iterate(problems), lambda p: str(getattr(p, f"{self.link}_id"))),
        )
        wb.save(target)
        self.row_count = count
        return count


@register_exporter
class InspectionExporter(_TwoSheetExporter):
    code = "supervision.inspections"
    label = "督导检查"
    columns = [Column(f.header, f.width) for f in INSPECTION_FIELDS]
    audit_action = "supervision.inspection.exported"
    importer = InspectionImporter
    link = "inspection"

    def main_values(self, i) -> list[Any]:
        return [
            str(i.pk),
            i.name,
            i.organization.name,
            i.organization.code,
            i.inspector_body,
            "、".join(t.name for t in i.targets.all()),
            "、".join(p.name for p in i.inspectors.all()),
            i.methods_label,
            i.start_on,
            i.end_on,
            i.summary,
            i.feedback,
            i.feedback_on,
            getattr(i, "n_problems", ""),
            getattr(i, "n_open", ""),
        ]

    def iterate(self, queryset):
        if queryset.model is Problem:
            return super().iterate(queryset)
        # prefetch_related needs chunked iteration with a chunk size.
        return (
            queryset.select_related("organization").prefetch_related("targets", "inspectors").iterator(chunk_size=500)
        )


@register_exporter
class ReportExporter(_TwoSheetExporter):
    code = "supervision.reports"
    label = "书记述职评议"
    columns = [Column(f.header, f.width) for f in REPORT_FIELDS]
    audit_action = "supervision.report.exported"
    importer = ReportImporter
    link = "secretary_report"

    def main_values(self, r) -> list[Any]:
        return [
            str(r.pk),
            r.organization.name,
            r.organization.code,
            r.secretary.name,
            r.year,
            r.held_on,
            r.title,
            r.rating_excellent,
            r.rating_good,
            r.rating_fair,
            r.rating_poor,
            r.comments,
            r.report,
            getattr(r, "n_problems", ""),
            getattr(r, "n_open", ""),
        ]

    def iterate(self, queryset):
        if queryset.model is Problem:
            return super().iterate(queryset)
        return queryset.select_related("organization", "secretary").iterator(chunk_size=2000)
