"""Forms for core's own pages: rule editing, audit filters, attachment upload."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from core.audit import registered_actions
from core.forms import BootstrapFormMixin


class RuleValueForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(
        label="起始年度",
        min_value=1949,
        max_value=2100,
        help_text="新取值自该年度起生效；此前年度仍按原取值计算（保留历史）",
    )
    value = forms.CharField(label="取值", max_length=2000)

    def __init__(self, *args, kind: type = int, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["value"]
        if kind in (dict, list):
            field.widget = forms.Textarea(attrs={"rows": 4, "class": "form-control font-monospace"})
            field.help_text = (
                '以 JSON 格式填写，例如 {"5": 90, "4": 80}' if kind is dict else "以 JSON 格式填写，例如 [0.01, 0.02]"
            )
        elif kind is int:
            field.help_text = f"填写整数{('，单位：' + unit) if unit else ''}"
        elif kind is float:
            field.help_text = f"填写数值（可含小数）{('，单位：' + unit) if unit else ''}"


def _content_type_choices():
    from django.apps import apps

    # The project's own apps live directly under BASE_DIR (third-party ones in the virtualenv).
    project_apps = {c.label for c in apps.get_app_configs() if Path(c.path).parent == Path(settings.BASE_DIR)}
    models = [
        m for m in apps.get_models() if m._meta.app_label in project_apps and not m.__name__.startswith("Historical")
    ]
    cts = ContentType.objects.get_for_models(*models)
    choices = sorted(((ct.pk, str(m._meta.verbose_name)) for m, ct in cts.items()), key=lambda c: c[1])
    return [("", "全部")] + choices


def _action_choices():
    return [("", "全部")] + [(code, f"{label}（{code}）") for code, label in registered_actions().items()]


class AuditFilterForm(BootstrapFormMixin, forms.Form):
    actor = forms.CharField(label="操作人", required=False, help_text="账号或姓名")
    # Callable choices: BootstrapFormMixin validates bound forms inside __init__, so choices must
    # exist before that (setting them afterwards would validate against an empty list).
    content_type = forms.TypedChoiceField(
        label="对象类型", required=False, coerce=int, empty_value=None, choices=_content_type_choices
    )
    action = forms.ChoiceField(label="操作", required=False, choices=_action_choices)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput())
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                field.widget.attrs.get("class", "")
                .replace("form-control", "form-control form-control-sm")
                .replace("form-select", "form-select form-select-sm")
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(label="文件")
    description = forms.CharField(label="说明", max_length=200, required=False)
