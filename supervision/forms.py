"""Forms of the supervision pages. They only parse input; the rules are checked by the services,
whose errors the views put back on the form."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from core.forms import BootstrapFormMixin, VersionFormMixin
from core.models import TrackedItem
from orgs.models import Organization, Person
from supervision.models import (
    Inspection,
    InspectionMethod,
    InspectionVisit,
    Problem,
    ProblemSource,
    SecretaryReport,
)
from supervision.services import EDITABLE_FIELDS, INSPECTION_FIELDS, REPORT_FIELDS

OPTION_LIMIT = 500
DEADLINE_MODES = [(TrackedItem.DEADLINE_CALENDAR, "自然日"), (TrackedItem.DEADLINE_WORKING, "工作日")]


def person_options(queryset, selected=(), limit: int = OPTION_LIMIT) -> list[tuple]:
    """Drop-down options for people: leaders first, then by organization and name, at most `limit`
    (a city-wide scope has 100,000 people), plus the people already selected."""
    people = list(queryset.order_by("-is_leadership_member", "-is_leader", "org_path", "name")[:limit])
    ids = {p.pk for p in people}
    missing = [pk for pk in selected if pk and pk not in ids]
    if missing:
        people += list(Person.all_objects.filter(pk__in=missing))
    return [(p.pk, p.name + (f"（{p.job_title}）" if p.job_title else "")) for p in people]


def _limit_people(field, queryset, selected=(), empty: str | None = "（未指定）"):
    field.queryset = queryset
    options = person_options(queryset, selected)
    field.widget.choices = ([("", empty)] if empty is not None else []) + options
    field.error_messages["invalid_choice"] = "请从列表中选择人员"


def _org_choices(field, options: list[Organization], empty: str | None = "请选择党组织"):
    field.widget.choices = ([("", empty)] if empty is not None else []) + [
        (o.pk, getattr(o, "option_label", o.name)) for o in options
    ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


# ---------------------------------------------------------------------- inspections


class InspectionForm(BootstrapFormMixin, VersionFormMixin, forms.ModelForm):
    methods = forms.MultipleChoiceField(
        label="检查方式",
        choices=InspectionMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=True,
        help_text="可多选：实地检查、查阅资料、座谈访谈、问卷调查",
    )
    targets = forms.ModelMultipleChoiceField(
        label="被检查党组织",
        queryset=Organization.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="按住 Ctrl（Mac 为 ⌘）可多选",
    )
    inspectors = forms.ModelMultipleChoiceField(
        label="检查人员",
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="督导检查组成员，可多选",
    )

    class Meta:
        model = Inspection
        fields = INSPECTION_FIELDS
        widgets = {
            "start_on": forms.DateInput(),
            "end_on": forms.DateInput(),
            "feedback_on": forms.DateInput(),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "feedback": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, organizations=None, organization_options=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organizations if organizations is not None else Organization.objects.none()
        self.fields["organization"].queryset = orgs
        self.fields["organization"].error_messages["invalid_choice"] = "您无权为该党组织登记督导检查"
        self.fields["targets"].queryset = orgs
        options = organization_options or []
        _org_choices(self.fields["organization"], options)
        selected_targets = [t.pk for t in self.instance.targets.all()] if self.instance.pk else []
        extra = [o for o in Organization.objects.filter(pk__in=selected_targets) if o.pk not in {x.pk for x in options}]
        _org_choices(self.fields["targets"], options + extra, empty=None)
        selected = [p.pk for p in self.instance.inspectors.all()] if self.instance.pk else []
        _limit_people(
            self.fields["inspectors"], people if people is not None else Person.objects.none(), selected, None
        )
        self.fields["name"].widget.attrs.setdefault("placeholder", "如：2022年第二轮党建督导检查")
        if self.instance.pk:
            self.initial.setdefault("methods", self.instance.method_list)
            self.initial.setdefault("targets", selected_targets)
            self.initial.setdefault("inspectors", selected)
        self.fields["methods"].widget.attrs.pop("class", None)


class VisitForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = InspectionVisit
        fields = ["organization", "visited_on", "method", "note"]
        widgets = {"visited_on": forms.DateInput()}

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = targets if targets is not None else Organization.objects.none()
        self.fields["organization"].empty_label = "请选择被检查党组织"


class FindingsForm(BootstrapFormMixin, forms.Form):
    """Findings of an inspection or a report, one problem per line, straight into the ledger."""

    organization = forms.ModelChoiceField(label="责任党组织", queryset=Organization.objects.none())
    findings = forms.CharField(
        label="问题（每行一条）",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "1. 三会一课记录不规范\n2. 党员学习教育流于形式"}),
        help_text="每行登记为问题整改台账中的一条问题；行首的序号会自动去掉",
    )
    measures = forms.CharField(label="整改措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible_person = forms.ModelChoiceField(label="责任人", queryset=Person.objects.none(), required=False)
    responsible_leader = forms.ModelChoiceField(label="责任领导", queryset=Person.objects.none(), required=False)
    found_on = forms.DateField(label="发现日期", widget=forms.DateInput(), help_text="反馈或查摆问题的日期")
    deadline = forms.DateField(
        label="整改时限", required=False, widget=forms.DateInput(), help_text="填写具体日期，或在右侧填写期限天数"
    )
    duration = forms.IntegerField(
        label="期限（天）", required=False, min_value=1, max_value=730, help_text="不填日期时按天数计算"
    )
    deadline_mode = forms.ChoiceField(label="期限计算", choices=DEADLINE_MODES, initial=TrackedItem.DEADLINE_CALENDAR)

    def __init__(self, *args, organizations=None, people=None, leaders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            organizations if organizations is not None else Organization.objects.none()
        )
        self.fields["organization"].empty_label = "请选择责任党组织"
        _limit_people(self.fields["responsible_person"], people if people is not None else Person.objects.none())
        _limit_people(self.fields["responsible_leader"], leaders if leaders is not None else Person.objects.none())

    def clean(self):
        data = super().clean()
        if data.get("deadline") and data.get("duration"):
            self.add_error("duration", "整改时限和期限天数只需填写一项")
        return data


# ---------------------------------------------------------------------- secretaries' reports


class SecretaryReportForm(BootstrapFormMixin, VersionFormMixin, forms.ModelForm):
    class Meta:
        model = SecretaryReport
        fields = REPORT_FIELDS
        widgets = {
            "held_on": forms.DateInput(),
            "report": forms.Textarea(attrs={"rows": 6}),
            "comments": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, organizations=None, organization_options=None, secretaries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            organizations if organizations is not None else Organization.objects.none()
        )
        self.fields["organization"].error_messages["invalid_choice"] = "您无权为该党组织登记述职评议"
        if organization_options is not None:
            _org_choices(self.fields["organization"], organization_options)
        selected = [self.instance.secretary_id] if self.instance.pk else []
        _limit_people(
            self.fields["secretary"],
            secretaries if secretaries is not None else Person.objects.none(),
            selected,
            "请选择述职书记",
        )
        self.fields["title"].widget.attrs.setdefault(
            "placeholder", "辖属党组织书记抓基层党建和全面从严治党主体责任述职大会"
        )
        for name in ("rating_excellent", "rating_good", "rating_fair", "rating_poor"):
            self.fields[name].widget.attrs["min"] = 0
        self.fields["rating_excellent"].label = "好"
        self.fields["rating_good"].label = "较好"
        self.fields["rating_fair"].label = "一般"
        self.fields["rating_poor"].label = "差"


# ---------------------------------------------------------------------- problems


class ProblemForm(BootstrapFormMixin, forms.ModelForm):
    deadline = forms.DateField(
        label="整改时限", required=False, widget=forms.DateInput(), help_text="填写具体日期，或填写期限天数"
    )
    duration = forms.IntegerField(label="期限（天）", required=False, min_value=1, max_value=730)
    deadline_mode = forms.ChoiceField(label="期限计算", choices=DEADLINE_MODES, initial=TrackedItem.DEADLINE_CALENDAR)

    class Meta:
        model = Problem
        fields = [
            "source",
            "inspection",
            "secretary_report",
            "meeting",
            "source_note",
            "organization",
            "description",
            "measures",
            "responsible_person",
            "responsible_leader",
            "found_on",
        ]
        widgets = {
            "found_on": forms.DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args,
        organizations=None,
        organization_options=None,
        inspections=None,
        reports=None,
        meetings=None,
        people=None,
        leaders=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "请选择问题来源"), *ProblemSource.choices]
        self.fields["organization"].queryset = (
            organizations if organizations is not None else Organization.objects.none()
        )
        self.fields["organization"].error_messages["invalid_choice"] = "您无权为该党组织登记问题"
        if organization_options is not None:
            _org_choices(self.fields["organization"], organization_options)
        for name, qs, empty in (
            ("inspection", inspections, "（来源为督导检查时选择）"),
            ("secretary_report", reports, "（来源为书记述职评议时选择）"),
            ("meeting", meetings, "（民主生活会/组织生活会查摆时可选择）"),
        ):
            field = self.fields[name]
            field.queryset = qs if qs is not None else field.queryset.none()
            field.empty_label = empty
        self.fields["meeting"].label_from_instance = lambda m: f"{m.held_on:%Y-%m-%d} {m.topic}"
        _limit_people(self.fields["responsible_person"], people if people is not None else Person.objects.none())
        _limit_people(self.fields["responsible_leader"], leaders if leaders is not None else Person.objects.none())

    def clean(self):
        data = super().clean()
        if data.get("deadline") and data.get("duration"):
            self.add_error("duration", "整改时限和期限天数只需填写一项")
        return data


class ProblemEditForm(BootstrapFormMixin, VersionFormMixin, forms.ModelForm):
    class Meta:
        model = Problem
        fields = EDITABLE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, people=None, leaders=None, **kwargs):
        super().__init__(*args, **kwargs)
        inst = self.instance
        _limit_people(self.fields["responsible_person"], people, [inst.responsible_person_id])
        _limit_people(self.fields["responsible_leader"], leaders, [inst.responsible_leader_id])


class ProgressForm(BootstrapFormMixin, forms.Form):
    content = forms.CharField(
        label="整改进展", widget=forms.Textarea(attrs={"rows": 3}), help_text="已采取的措施、取得的成效、下一步安排"
    )
    reported_on = forms.DateField(label="报告日期", widget=forms.DateInput())
    files = MultipleFileField(label="佐证材料", required=False, help_text="可多选：会议记录、制度文件、照片等")


class NoteForm(BootstrapFormMixin, forms.Form):
    """The text that goes with a status change (申请说明、验收意见、退回理由)."""

    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ExtensionRequestForm(BootstrapFormMixin, forms.Form):
    new_due_on = forms.DateField(label="申请延期至", widget=forms.DateInput())
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecisionForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(label="审批", choices=[("approve", "批准延期"), ("reject", "不批准")])
    note = forms.CharField(label="审批意见", widget=forms.Textarea(attrs={"rows": 2}), required=False)


def people_of(org: Organization | None, user_people, extra: Q | None = None):
    """People offered for an organization: its subtree (within what the user may see)."""
    if org is None:
        return user_people
    q = Q(org_path__startswith=org.path)
    if extra is not None:
        q |= extra
    return user_people.filter(q)
