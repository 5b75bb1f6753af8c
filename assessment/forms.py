"""Forms of the star rating and the periodic assessment. They only parse input; the rules are
checked by the services, whose errors the views put back on the forms."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from assessment.models import DIMENSION_FIELDS, Grade, stars_label
from core.excel_views import ImportUploadForm
from core.forms import BootstrapFormMixin, VersionFormMixin

SCORE_HELP = "0–100分，可保留两位小数"


def _style(form) -> None:
    """Bootstrap classes for fields added after BootstrapFormMixin.__init__ (dynamic fields)."""
    for field in form.fields.values():
        widget = field.widget
        if "class" in widget.attrs:
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            widget.attrs["class"] = "form-select"
        else:
            widget.attrs["class"] = "form-control"


def _score_field(label: str, *, required: bool, help_text: str = SCORE_HELP) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100", "inputmode": "decimal"}),
        error_messages={
            "min_value": "得分应在0至100分之间",
            "max_value": "得分应在0至100分之间",
            "max_decimal_places": "最多保留两位小数",
            "invalid": "请填写数字",
            "required": f"请填写“{label}”的得分",
        },
    )


def _years(back: int = 6) -> list[tuple[int, str]]:
    this = timezone.localdate().year
    return [(y, f"{y}年度") for y in range(this, this - back, -1)]


class StarRoundOpenForm(BootstrapFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label="组织评星的党组织", queryset=None, empty_label=None)
    year = forms.TypedChoiceField(label="评定年度", coerce=int, help_text="对该年度的党支部工作进行评星定级")
    historical = forms.BooleanField(
        label="历史补录",
        required=False,
        help_text="补录平台启用前已完成的评定结果（用于对比晋位升级）：跳过自评，不预填系统数据",
    )
    notes = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label_from_instance = lambda o: o.name
        self.fields["year"].choices = _years()


class DimensionScoresMixin:
    """Fields `dim_0…` for the scheme's dimensions, with their weights in the labels."""

    def add_dimensions(self, dimensions, *, required: bool, hints: dict | None = None):
        self.dimensions = [name for name, _ in dimensions]
        for i, (name, weight) in enumerate(dimensions):
            help_text = f"权重{weight}%；{SCORE_HELP}"
            if hints and hints.get(name):
                help_text += "；参考：" + hints[name]
            self.fields[f"dim_{i}"] = _score_field(f"{name}", required=required, help_text=help_text)

    def dimension_fields(self):
        return [self[f"dim_{i}"] for i in range(len(self.dimensions))]

    def scores(self) -> dict:
        return {
            name: self.cleaned_data.get(f"dim_{i}")
            for i, name in enumerate(self.dimensions)
            if self.cleaned_data.get(f"dim_{i}") is not None
        }

    def map_errors(self, exc) -> None:
        """Service errors keyed by dimension name → the dimension's field."""
        from django.core.exceptions import ValidationError

        if hasattr(exc, "error_dict"):
            remaining = {}
            for key, errors in exc.message_dict.items():
                if key in self.dimensions:
                    self.add_error(f"dim_{self.dimensions.index(key)}", errors)
                else:
                    remaining[key] = errors
            if remaining:
                from core.viewutils import apply_validation_error

                apply_validation_error(self, ValidationError(remaining))
        else:
            for message in exc.messages:
                self.add_error(None, message)


class SelfAssessmentForm(DimensionScoresMixin, BootstrapFormMixin, VersionFormMixin, forms.Form):
    self_summary = forms.CharField(
        label="自评说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="对照各维度简述本年度工作情况、存在的不足，并上传佐证材料（会议记录、制度文件、照片等）",
    )

    def __init__(self, *args, dimensions=(), hints=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_dimensions(dimensions, required=False, hints=hints)
        _style(self)
        self.order_fields([*(f"dim_{i}" for i in range(len(self.dimensions))), "self_summary", "version"])


class ScoringForm(DimensionScoresMixin, BootstrapFormMixin, VersionFormMixin, forms.Form):
    weak_lax = forms.BooleanField(label="软弱涣散党组织", required=False)
    vetoes = forms.MultipleChoiceField(label="触发的一票否决事项", required=False, widget=forms.CheckboxSelectMultiple)
    satisfaction = forms.DecimalField(
        label="群众满意度（%）",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "100"}),
    )
    adjusted_stars = forms.TypedChoiceField(
        label="调整星级",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "不调整（按计算结果）")] + [(s, stars_label(s)) for s in (5, 4, 3, 2, 1)],
        help_text="一般按分数线和封顶规则计算；确需调整（如上级定星意见）的选择星级并填写理由，不能高于封顶星级",
    )
    adjust_reason = forms.CharField(label="调整理由", required=False, max_length=300)
    committee_comment = forms.CharField(label="评星意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        scheme = scheme or {}
        self.add_dimensions(scheme.get("dimensions", []), required=True)
        _style(self)
        self.fields["vetoes"].choices = [
            (name, f"{name}（最高{stars_label(int(cap))}）") for name, cap in scheme.get("veto_items", [])
        ]
        self.fields["vetoes"].widget.attrs["class"] = "form-check-input"
        cap = scheme.get("weak_lax_cap", 2)
        self.fields["weak_lax"].help_text = f"被确定为软弱涣散的党组织最高评定{stars_label(int(cap))}"
        sat = scheme.get("satisfaction_cap")
        self.fields["satisfaction"].help_text = (
            f"选填；满意度低于{sat['below']}%的最高评定{stars_label(int(sat['max_stars']))}"
            if sat
            else "选填；本轮方案未设满意度封顶"
        )
        self.order_fields(
            [
                *(f"dim_{i}" for i in range(len(self.dimensions))),
                "weak_lax",
                "vetoes",
                "satisfaction",
                "adjusted_stars",
                "adjust_reason",
                "committee_comment",
                "version",
            ]
        )


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label="理由", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class StandardizationForm(BootstrapFormMixin, forms.Form):
    """One met checkbox and one note per checklist item (fields met_<i>, note_<i>)."""

    def __init__(self, *args, items=(), checks=None, **kwargs):
        super().__init__(*args, **kwargs)
        checks = checks or {}
        self.items = list(items)
        for i, item in enumerate(self.items):
            check = checks.get(item)
            self.fields[f"met_{i}"] = forms.BooleanField(label=item, required=False, initial=bool(check and check.met))
            self.fields[f"note_{i}"] = forms.CharField(
                label=f"{item}：说明",
                required=False,
                max_length=300,
                initial=check.note if check else "",
                widget=forms.TextInput(attrs={"placeholder": "佐证或差距说明，如：活动室面积不足"}),
            )
        _style(self)

    def rows(self):
        return [{"item": item, "met": self[f"met_{i}"], "note": self[f"note_{i}"]} for i, item in enumerate(self.items)]

    def cleaned_rows(self) -> list[tuple[str, bool, str]]:
        return [
            (item, self.cleaned_data.get(f"met_{i}", False), self.cleaned_data.get(f"note_{i}", ""))
            for i, item in enumerate(self.items)
        ]


# ---------------------------------------------------------------------- periodic assessment


class AssessmentRoundOpenForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label="考核单位", queryset=None, empty_label=None, help_text="该单位人员名单上的全体人员（含领导干部）参加考核"
    )
    year = forms.TypedChoiceField(label="年度", coerce=int)
    quarter = forms.TypedChoiceField(
        label="季度", coerce=int, choices=[(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["year"].choices = [(y, f"{y}年") for y, _ in _years()]
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["quarter"].initial = (today.month - 1) // 3 + 1


class HeadsForm(BootstrapFormMixin, forms.Form):
    """One select per department of the round: its head (scorer)."""

    def __init__(self, *args, round_departments=(), people_by_department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.round_departments = list(round_departments)
        for rd in self.round_departments:
            people = (people_by_department or {}).get(rd.department_id, [])
            self.fields[f"head_{rd.pk}"] = forms.TypedChoiceField(
                label=rd.department.name,
                required=False,
                coerce=int,
                empty_value=None,
                initial=rd.head_id,
                choices=[("", "（未指定：由机关党委评分）")]
                + [(p.pk, f"{p.name}（{p.job_title}）" if p.job_title else p.name) for p in people],
            )

        _style(self)

    def heads(self) -> dict[int, int | None]:
        return {rd.pk: self.cleaned_data.get(f"head_{rd.pk}") for rd in self.round_departments}


class SummaryForm(BootstrapFormMixin, VersionFormMixin, forms.Form):
    summary = forms.CharField(
        label="个人小结",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="本季度主要工作及完成情况、履行岗位职责和遵守纪律作风情况、存在的不足和改进打算；评分前可以修改",
    )


class RecordScoreForm(BootstrapFormMixin, VersionFormMixin, forms.Form):
    comment = forms.CharField(label="评价意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, dimensions=(), **kwargs):
        super().__init__(*args, **kwargs)
        weights = dict(dimensions)
        for label, name in DIMENSION_FIELDS:
            self.fields[name] = _score_field(
                label, required=True, help_text=f"权重{weights.get(label, '—')}%；{SCORE_HELP}"
            )
        _style(self)
        self.order_fields([name for _, name in DIMENSION_FIELDS] + ["comment", "version"])

    def score_fields(self):
        return [self[name] for _, name in DIMENSION_FIELDS]


class GradeForm(BootstrapFormMixin, VersionFormMixin, forms.Form):
    grade = forms.ChoiceField(label="审定等次", required=False, choices=[("", "按建议等次")] + list(Grade.choices))
    grade_reason = forms.CharField(label="调整理由", required=False, max_length=300)


class SchemeImportForm(ImportUploadForm):
    year = forms.TypedChoiceField(
        label="自哪一年度起执行",
        coerce=int,
        help_text="导入的方案从该年度起生效；已开启的评星定级和平时考核仍按开启时的方案执行",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this = timezone.localdate().year
        self.fields["year"].choices = [(y, f"{y}年度") for y in range(this + 1, this - 6, -1)]
        self.fields["year"].initial = this
        self.fields["year"].widget.attrs["class"] = "form-select"
