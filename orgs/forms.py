from django import forms

from core.forms import BootstrapFormMixin, VersionFormMixin
from orgs.models import Department, Organization, Person, PostType, Unit
from orgs.services import ORG_FIELDS
from orgs.validators import validate_id_number


class OrganizationForm(BootstrapFormMixin, VersionFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ORG_FIELDS  # the fields the services diff and audit
        widgets = {
            "established_on": forms.DateInput(),
            "term_start": forms.DateInput(),
            "term_end": forms.DateInput(),
        }

    def __init__(self, *args, parent_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parent_queryset is not None:
            self.fields["parent"].queryset = parent_queryset
        self.fields["parent"].required = False
        self.fields["term_start"].help_text = "党支部、党总支每届任期3年，机关党委每届任期5年；任期届满前系统会提醒换届"


class PersonForm(BootstrapFormMixin, VersionFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "gender",
            "id_number",
            "phone",
            "party_status",
            "joined_party_on",
            "full_member_on",
            "organization",
            "unit",
            "department",
            "job_title",
            "is_leader",
            "is_leadership_member",
            "leadership_role",
            "notes",
        ]
        widgets = {
            "joined_party_on": forms.DateInput(),
            "full_member_on": forms.DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, organization_queryset=None, show_id_number=True, **kwargs):
        super().__init__(*args, **kwargs)
        if organization_queryset is not None:
            self.fields["organization"].queryset = organization_queryset
        self.fields["unit"].queryset = Unit.objects.all()
        self.fields["department"].queryset = Department.objects.select_related("unit")
        self.fields["id_number"].help_text = "18位居民身份证号，系统自动校验并提取出生日期、性别"
        if not show_id_number:
            # Users who may not read the full number cannot see or change it.
            del self.fields["id_number"]

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "")
        if not value:
            return ""
        return validate_id_number(value)

    def clean(self):
        data = super().clean()
        status = data.get("party_status")
        if status in ("full", "probationary") and not data.get("joined_party_on"):
            self.add_error("joined_party_on", "党员须填写入党日期")
        return data


class PostAssignForm(BootstrapFormMixin, forms.Form):
    person = forms.ModelChoiceField(label="人员", queryset=Person.objects.none())
    post = forms.ChoiceField(label="党内职务", choices=PostType.choices)
    start_on = forms.DateField(label="任职日期", widget=forms.DateInput())
    note = forms.CharField(label="备注", required=False, max_length=200)

    def __init__(self, *args, person_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person_queryset is not None:
            self.fields["person"].queryset = person_queryset


class PostEndForm(BootstrapFormMixin, VersionFormMixin, forms.Form):
    end_on = forms.DateField(label="离任日期", widget=forms.DateInput())
    successor = forms.ModelChoiceField(label="接任人（交接接收人）", queryset=Person.objects.none(), required=False)
    handover_items = forms.CharField(
        label="移交清单",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="书记、副书记、党务干部离任须办理工作交接：台账、档案、印章、未完成事项等，每行一项",
    )

    def __init__(self, *args, person_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person_queryset is not None:
            self.fields["successor"].queryset = person_queryset


class HandoverCompleteForm(BootstrapFormMixin, forms.Form):
    completed_on = forms.DateField(label="交接完成日期", widget=forms.DateInput())
    reason = forms.CharField(label="说明", required=False, max_length=500)


class UnitForm(BootstrapFormMixin, VersionFormMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "unit_type", "sort_order"]


class DepartmentForm(BootstrapFormMixin, VersionFormMixin, forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "unit", "organization", "is_administrative", "sort_order"]

    def __init__(self, *args, organization_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.all()
        if organization_queryset is not None:
            self.fields["organization"].queryset = organization_queryset
        self.fields["organization"].help_text = "该科室人员的党组织关系一般所在的党支部"
