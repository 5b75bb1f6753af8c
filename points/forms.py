"""Forms for manual entries, reviews and the 先锋 selection (Chinese labels, rule help texts)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from core.rules import RuleSet
from points.models import HALF_CHOICES, AppraisalGrade, VanguardKind
from points.selectors import rule_name

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
OPTION_LIMIT = 500


def _limited_choices(field: forms.ModelChoiceField, options, label=str, empty="请选择") -> None:
    """Validate against the whole queryset but offer only `options` (a city-wide scope has too
    many people for one drop-down; pages link here with ?person=<pk> to preselect one)."""
    field.widget.choices = [("", empty)] + [(o.pk, label(o)) for o in options]


class ManualEntryForm(forms.Form):
    person = forms.ModelChoiceField(
        label="党员",
        queryset=None,
        widget=forms.Select(attrs=SELECT),
        help_text="只能为本支部（本范围）参加积分的党员录入；可从党员的积分页点击“录入加减分”预先选定",
    )
    date = forms.DateField(
        label="日期", widget=DATE, help_text="加分或扣分事项发生的日期；积分按自然年度计算、年度清零"
    )
    rule_code = forms.ChoiceField(
        label="依据规则",
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text="选择规则时按规则分值计分；出席会议、讲党课等由系统根据记录自动计分，不在此录入",
    )
    points = forms.IntegerField(
        label="分值",
        required=False,
        widget=forms.NumberInput(attrs=TEXT),
        help_text="未选择规则时填写：加分为正数，扣分为负数",
    )
    reason = forms.CharField(
        label="理由",
        max_length=200,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        help_text="写明事项（如：在《海滨日报》发表理论文章《……》）。经机关党委审核通过后生效；不得因使用本平台计分",
    )

    def __init__(self, *args, people, options, manual_rules, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        _limited_choices(self.fields["person"], options, label=lambda p: f"{p.name}（{p.organization.name}）")
        rules = RuleSet("points.")
        choices = [("", "其他（填写分值和理由）")]
        for code in manual_rules:
            value = int(rules.get(code, year, default=0))
            choices.append((code, f"{rule_name(code)}（{value:+d}分）"))
        self.fields["rule_code"].choices = choices
        self.manual_max = int(rules.get("points.manual_max", year, default=10))
        self.fields["points"].help_text += f"，绝对值不超过{self.manual_max}分"


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="退回理由",
        max_length=200,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
        help_text="支部会看到退回理由",
    )


class RoundForm(forms.Form):
    organization = forms.ModelChoiceField(label="评选党组织", queryset=None, widget=forms.Select(attrs=SELECT))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=TEXT))
    half = forms.TypedChoiceField(
        label="期间",
        choices=HALF_CHOICES,
        coerce=int,
        widget=forms.Select(attrs=SELECT),
        help_text="按该期间的党员量化积分提名",
    )
    kind = forms.ChoiceField(label="评选类别", choices=VanguardKind.choices, widget=forms.Select(attrs=SELECT))
    title = forms.CharField(
        label="名称", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT), help_text="留空自动生成"
    )
    quota = forms.IntegerField(
        label="名额",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs=TEXT),
        help_text="留空按规则：党员先锋不超过参评党员的10%，先锋科室不超过2个（规则可在“规则配置”中修改）",
    )
    criteria = forms.CharField(
        label="评选条件",
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        help_text="党员先锋：积分是依据之一，还须民主评议为优秀；先锋科室留空则按规则生成基本条件",
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label_from_instance = lambda o: o.name


class NominationAddForm(forms.Form):
    person = forms.ModelChoiceField(label="党员", queryset=None, required=False, widget=forms.Select(attrs=SELECT))
    department = forms.ModelChoiceField(label="科室", queryset=None, required=False, widget=forms.Select(attrs=SELECT))
    deeds = forms.CharField(label="主要事迹/推荐理由", required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 4}))

    def __init__(self, *args, round, people, options, departments, **kwargs):
        super().__init__(*args, **kwargs)
        if round.kind == VanguardKind.MEMBER:
            del self.fields["department"]
            self.fields["person"].queryset = people
            self.fields["person"].required = True
            _limited_choices(self.fields["person"], options, label=lambda p: f"{p.name}（{p.organization.name}）")
        else:
            del self.fields["person"]
            self.fields["department"].queryset = departments
            self.fields["department"].required = True


class NominationForm(forms.Form):
    appraisal_grade = forms.ChoiceField(
        label="民主评议等次",
        required=False,
        choices=[("", "未登记")] + list(AppraisalGrade.choices),
        widget=forms.Select(attrs=SELECT),
        help_text="会议记录中没有逐人等次：按民主评议党员的结果登记（优秀不超过正式党员的1/3）",
    )
    appraisal_meeting = forms.ModelChoiceField(
        label="民主评议会议", queryset=None, required=False, widget=forms.Select(attrs=SELECT)
    )
    criteria_met = forms.NullBooleanField(
        label="符合评选条件",
        required=False,
        widget=forms.Select(attrs=SELECT, choices=[("unknown", "未核实"), ("true", "符合"), ("false", "不符合")]),
    )
    criteria_note = forms.CharField(
        label="条件核实说明", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    deeds = forms.CharField(label="主要事迹/推荐理由", required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 4}))

    def __init__(self, *args, nomination, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        if nomination.person_id:
            del self.fields["criteria_met"]
            del self.fields["criteria_note"]
            self.fields["appraisal_meeting"].queryset = meetings
            self.fields["appraisal_meeting"].label_from_instance = lambda m: f"{m.held_on:%Y-%m-%d} {m.topic}"
        else:
            del self.fields["appraisal_grade"]
            del self.fields["appraisal_meeting"]


class DecideForm(forms.Form):
    selected = forms.TypedMultipleChoiceField(label="当选", coerce=int, choices=(), widget=forms.CheckboxSelectMultiple)
    decided_on = forms.DateField(label="研究决定日期", widget=DATE)
    decision_note = forms.CharField(
        label="决定方式",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text="如：机关党委会议研究决定",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, nominations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].choices = [(n.pk, n.name) for n in nominations]
        self.fields["decided_on"].initial = timezone.localdate()


class PublishForm(forms.Form):
    notice_start = forms.DateField(label="公示开始", widget=DATE)
    notice_end = forms.DateField(
        label="公示结束", widget=DATE, required=False, help_text="留空按规则：不少于5个工作日（节假日顺延）"
    )


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label="结果公布日期", widget=DATE, initial=timezone.localdate)
    result_note = forms.CharField(
        label="公示结果", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT), initial="公示期内无异议"
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200, widget=forms.TextInput(attrs=TEXT))
