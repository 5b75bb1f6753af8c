"""Exports of the meeting ledger (会议台账) and the attendance ledger (出勤台账).

The meeting ledger's workbook has two sheets laid out like the import template: "会议" (one row
per meeting: the template's columns, then the derived 应到/实到/请假/缺席/是否达到法定人数) and
"出勤" (one row per person and meeting, linked by 会议编号 = the meeting's number in the system).
So an exported ledger can be imported again (unchanged meetings are recognised and skipped) or
into another installation. The attendance ledger is the "出勤" sheet alone, with the meeting's date,
organization, type and topic for reading. Both follow the ledger's filters.

ID numbers leave the system masked (370602********1234): the import accepts a masked number to
tell apart two people of the same name. Every string cell is neutralised against formula
injection by core.exporters; an Excel sheet holds at most 1,048,576 rows, so a larger attendance
export stops there with a note in its last row.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook

from core import audit
from core.audit import mask_id_number
from core.exporters import (
    Column,
    WorkbookExporter,
    register_exporter,
)
from meetings.importers import (
    ATTENDANCE_EXPORT_ONLY,
    ATTENDANCE_IMPORT_FIELDS,
    ATTENDANCE_SHEET,
    MEETING_EXPORT_ONLY,
    MEETING_IMPORT_FIELDS,
    MEETING_SHEET,
    meeting_export_values,
)
from meetings.models import Attendance, Meeting

audit.register_action("meetings.meeting.exported", "导出会议台账")
audit.register_action("meetings.attendance.exported", "导出出勤台账")

MEETING_COLUMNS = [Column(f.header, f.width) for f in MEETING_IMPORT_FIELDS] + [
    Column(h, 7 if len(h) <= 2 else 14) for h in MEETING_EXPORT_ONLY
]
# The attendance sheet: 会议编号, the meeting for reading, then 姓名/身份证号/出勤/原因.
_ATT = {f.key: f for f in ATTENDANCE_IMPORT_FIELDS}
ATTENDANCE_COLUMNS = [
    Column(_ATT["number"].header, 10),
    *(Column(h, w) for h, w in zip(ATTENDANCE_EXPORT_ONLY, (12, 20, 14, 30), strict=True)),
    *(Column(_ATT[k].header, _ATT[k].width) for k in ("name", "id_number", "status", "reason")),
]


def attendance_of(meetings: QuerySet[Meeting]) -> QuerySet[Attendance]:
    """The attendance rows of the ledger's meetings, in the ledger's order."""
    return (
        Attendance.objects.filter(meeting_id__in=meetings.order_by().values("pk"))
        .select_related("meeting__organization", "meeting__subtype", "person")
        .order_by("-meeting__held_on", "-meeting_id", "id")
    )


def attendance_values(a: Attendance, *, reading: bool = True) -> list[Any]:
    """One attendance row; `reading` adds the meeting's date, organization, type and topic."""
    m = a.meeting
    about = [m.held_on, m.organization.name, m.kind_label, m.topic] if reading else []
    return [
        str(m.pk),
        *about,
        a.person.name,
        mask_id_number(a.person.id_number),
        a.get_status_display(),
        a.reason,
    ]


@register_exporter
class MeetingExporter(WorkbookExporter):
    """会议台账: the "会议" sheet and, for the same meetings, the "出勤" sheet."""

    code = "meetings.meetings"
    label = "会议台账"
    sheet_title = MEETING_SHEET
    columns = MEETING_COLUMNS
    audit_action = "meetings.meeting.exported"

    def __init__(self, user=None, **options):
        super().__init__(user, **options)
        self.attendance_rows = 0

    def rows(self, queryset):
        queryset = queryset.select_related("organization", "subtype", "host", "lecturer")
        for meeting in self.iterate(queryset):
            yield meeting_export_values(meeting)

    def write(self, queryset, target) -> int:
        wb = Workbook(write_only=True)
        count = self.append_sheet(wb, MEETING_SHEET, self.get_columns(), self.rows(queryset))
        rows = (attendance_values(a, reading=False) for a in self.iterate(attendance_of(queryset)))
        columns = [Column(f.header, f.width) for f in ATTENDANCE_IMPORT_FIELDS]
        self.attendance_rows = self.append_sheet(wb, ATTENDANCE_SHEET, columns, rows)
        wb.save(target)
        self.row_count = count
        return count

    def audit_changes(self):
        return {"attendance_rows": [None, self.attendance_rows]}


@register_exporter
class AttendanceExporter(WorkbookExporter):
    """出勤台账: one row per person and meeting (takes the ledger's meeting queryset)."""

    code = "meetings.attendance"
    label = "出勤台账"
    sheet_title = ATTENDANCE_SHEET
    columns = ATTENDANCE_COLUMNS
    audit_action = "meetings.attendance.exported"

    def rows(self, queryset):
        for a in self.iterate(attendance_of(queryset)):
            yield attendance_values(a)

    def write(self, queryset, target) -> int:
        wb = Workbook(write_only=True)
        count = self.append_sheet(wb, ATTENDANCE_SHEET, self.get_columns(), self.rows(queryset))
        wb.save(target)
        self.row_count = count
        return count

    def audit_changes(self):
        return {"truncated": [None, self.truncated]} if self.truncated else {}
