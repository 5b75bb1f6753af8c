"""The meeting form (登记/编辑会议) and its attendance table (出勤名单).

The form only parses input; the rules (请假须填写原因, quorum, subtypes, dates) are checked by
meetings.services, whose errors are put back on the form by the view.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from core.forms import BootstrapFormMixin, VersionFormMixin
from core.pickers import use_picker
from meetings.models import LEADERSHIP_KINDS, AttendanceStatus, Meeting, MeetingKind, TopicSubtype
from meetings.services import MEETING_FIELDS, AttendanceRow
from orgs.models import Organization, Person

BRANCH_KIND_LABEL = "支部组织生活（三会一课等）"
LEADERSHIP_KIND_LABEL = "党组及机关会议"


def kind_choices() -> list:
    """Meeting types grouped as users think of them: branch life first, then the leadership's."""
    branch = [(k.value, k.label) for k in MeetingKind if k not in LEADERSHIP_KINDS]
    leadership = [(k.value, k.label) for k in MeetingKind if k in LEADERSHIP_KINDS]
    return [("", "请选择会议类型"), (BRANCH_KIND_LABEL, branch), (LEADERSHIP_KIND_LABEL, leadership)]


class MeetingForm(BootstrapFormMixin, VersionFormMixin, forms.ModelForm):
    # Saved as the meeting's `responds_to` by supervision.services.meeting_set_responds_to.
    responds_to_inspection = forms.ModelChoiceField(
        label="响应的督导检查",
        queryset=None,
        required=False,
        empty_label="（无）",
        help_text="针对督导检查反馈问题召开的整改专题会议等，请选择对应的督导检查",
    )

    class Meta:
        model = Meeting
        fields = MEETING_FIELDS
        widgets = {
            "held_on": forms.DateInput(),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "content": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 5}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"lecturer": "授课人/主讲人"}

    def __init__(
        self,
        *args,
        organization_queryset=None,
        organization_options: list[Organization] | None = None,
        people_queryset=None,
        lecturer_queryset=None,
        inspection_queryset=None,
        people_org: Organization | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if inspection_queryset is not None:
            self.fields["responds_to_inspection"].queryset = inspection_queryset
        else:
            del self.fields["responds_to_inspection"]
        org_field = self.fields["organization"]
        if organization_queryset is not None:
            org_field.queryset = organization_queryset
        org_field.error_messages["invalid_choice"] = "您无权为该党组织登记会议，或该党组织不存在"
        if organization_options is not None:
            # Validation uses the whole queryset; the drop-down shows a manageable number of options.
            org_field.widget.choices = [("", "请选择党组织")] + [(o.pk, o.option_label) for o in organization_options]
        self.fields["kind"].choices = kind_choices()
        self.fields["subtype"].queryset = TopicSubtype.objects.all()
        self.fields["subtype"].empty_label = "请选择专题类别"
        self.fields["subtype"].help_text = "仅专题会议填写：党建工作、党风廉政建设、意识形态、网络意识形态、问题整改等"
        org_id = people_org.pk if people_org is not None else None
        for name, qs, source in (
            ("host", people_queryset, "meetings.people"),
            ("lecturer", lecturer_queryset, "meetings.members"),
        ):
            field = self.fields[name]
            # A drop-down for a branch; a search above core.pickers.SEARCH_THRESHOLD people (a
            # committee's leadership meeting), narrowed to the meeting's organization.
            use_picker(field, source, org_id=org_id)
            field.queryset = qs if qs is not None else Person.objects.none()
            field.label_from_instance = lambda p: p.name
            field.error_messages["invalid_choice"] = "请从所选党组织的人员中选择"
        self.fields["host"].empty_label = "（未指定）"
        self.fields["lecturer"].empty_label = "（未指定）"
        self.fields["lecturer"].help_text = "党课须填写授课人；所选党组织的任何党员都可以讲党课（普通党员讲党课）"
        self.fields["participant_scope"].widget.attrs.setdefault(
            "placeholder", "如：班子成员、馆团负责人；全体机关干部"
        )
        self.fields["topic"].widget.attrs.setdefault("placeholder", "如：学习贯彻党的二十大精神")


# ------------------------------------------------------------------ attendance table


@dataclass
class AttendanceLine:
    person: Person
    status: str = AttendanceStatus.PRESENT
    reason: str = ""
    added: bool = False  # added by hand (not on the pre-filled list)
    counts_for_quorum: bool = False
    error: str = ""


class AttendanceTable:
    """The attendance rows of the meeting form: one line per person with 出席/请假/缺席 and a reason.

    Posted as `att_person` (the people, in order) with `att_status_<pk>`, `att_reason_<pk>` and
    `att_added_<pk>`; people outside `allowed` (the organization's subtree, plus those already on
    the record) are dropped with a message."""

    STATUS_CHOICES = AttendanceStatus.choices

    def __init__(self, lines: list[AttendanceLine]):
        self.lines = lines
        self.errors: list[str] = []

    # -- building

    @classmethod
    def from_people(cls, people, status: str = AttendanceStatus.PRESENT) -> AttendanceTable:
        return cls([AttendanceLine(person=p, status=status) for p in people])

    @classmethod
    def from_meeting(cls, meeting: Meeting) -> AttendanceTable:
        rows = meeting.attendance.select_related("person", "person__organization").order_by("id")
        return cls([AttendanceLine(person=a.person, status=a.status, reason=a.reason) for a in rows])

    @classmethod
    def from_post(cls, data, allowed) -> AttendanceTable:
        """Parse the posted rows. `allowed` is a Person queryset the people must belong to."""
        pks: list[int] = []
        for raw in data.getlist("att_person"):
            if str(raw).isdigit() and int(raw) not in pks:
                pks.append(int(raw))
        people = {p.pk: p for p in allowed.filter(pk__in=pks).select_related("organization")} if pks else {}
        table = cls([])
        dropped = 0
        for pk in pks:
            person = people.get(pk)
            if person is None:
                dropped += 1
                continue
            status = data.get(f"att_status_{pk}", "")
            line = AttendanceLine(
                person=person,
                status=status,
                reason=(data.get(f"att_reason_{pk}") or "").strip()[:200],
                added=bool(data.get(f"att_added_{pk}")),
            )
            if status not in AttendanceStatus.values:
                line.error = "请选择出勤情况"
            table.lines.append(line)
        if dropped:
            table.errors.append(f"出勤名单中有{dropped}人不属于所选党组织，已从名单中移除，请核对")
        return table

    # -- editing

    def person_ids(self) -> set[int]:
        return {line.person.pk for line in self.lines}

    def add(self, person: Person) -> None:
        if person.pk not in self.person_ids():
            self.lines.append(AttendanceLine(person=person, added=True))

    def remove(self, pk: int) -> None:
        self.lines = [line for line in self.lines if line.person.pk != pk]

    def merged_with(self, people) -> AttendanceTable:
        """A new pre-filled list (another organization or type) keeping what was already ticked
        for people on both lists, and the people added by hand."""
        old = {line.person.pk: line for line in self.lines}
        lines = []
        for p in people:
            prev = old.pop(p.pk, None)
            lines.append(
                AttendanceLine(person=p, status=prev.status, reason=prev.reason) if prev else AttendanceLine(p)
            )
        lines.extend(line for line in old.values() if line.added)
        return AttendanceTable(lines)

    # -- results

    @property
    def is_valid(self) -> bool:
        return not self.errors and not any(line.error for line in self.lines)

    def rows(self) -> list[AttendanceRow]:
        return [AttendanceRow(line.person, line.status, line.reason) for line in self.lines]

    def mark_quorum(self, person_ids: set[int]) -> None:
        for line in self.lines:
            line.counts_for_quorum = line.person.pk in person_ids

    def mark_errors(self, messages: list[str]) -> None:
        """Show a service error next to the row of the person it names (“张三”请假须填写原因)."""
        for line in self.lines:
            for message in messages:
                if f"“{line.person.name}”" in message:
                    line.error = message

    def counts(self) -> dict[str, int]:
        return {
            "expected": len(self.lines),
            "present": sum(line.status == AttendanceStatus.PRESENT for line in self.lines),
            "leave": sum(line.status == AttendanceStatus.LEAVE for line in self.lines),
            "absent": sum(line.status == AttendanceStatus.ABSENT for line in self.lines),
        }
