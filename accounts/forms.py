from django import forms
from django.contrib.auth import forms as auth_forms

from accounts.models import ROLE_HELP, Role
from core.forms import BootstrapFormMixin, VersionFormMixin
from core.pickers import PersonPickerField
from orgs.models import Organization, Person

ROLE_HELP_TEXT = "；".join(f"{Role(code).label}：{text}" for code, text in ROLE_HELP.items())


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "　" * obj.depth + obj.name


class IssuedPasswordMixin(forms.Form):
    """An administrator-issued password, typed twice."""

    password = forms.CharField(
        label="初始密码",
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="至少8位，不能是纯数字或常见密码。请当面或电话告知本人；本人首次登录时必须修改为只有自己知道的密码。",
    )
    password_confirm = forms.CharField(
        label="再次输入密码",
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_confirm") and data["password"] != data["password_confirm"]:
            self.add_error("password_confirm", "两次输入的密码不一致")
        return data


PERSON_HELP = "账号所属的工作人员；党员登录后看到的“本人记录”即此人员的档案。一个人只能有一个账号。"


class PersonFieldMixin(forms.Form):
    person = PersonPickerField(
        label="对应人员",
        queryset=Person.objects.none(),
        required=False,
        help_text=PERSON_HELP,
        source="accounts.linkable",
    )

    def __init__(self, *args, person_queryset=None, person_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        if person_queryset is not None:
            self.fields["person"].queryset = person_queryset
        self.fields["person"].required = person_required
        self.fields["person"].empty_label = "请选择人员" if person_required else "（不关联人员）"


class UserCreateForm(BootstrapFormMixin, PersonFieldMixin, IssuedPasswordMixin):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        help_text="登录时使用，建议用姓名拼音，如 zhangsan；只能包含字母、数字和 @ . + - _",
    )
    display_name = forms.CharField(
        label="显示名称", max_length=50, required=False, help_text="不填则显示对应人员的姓名"
    )
    field_order = ["username", "display_name", "person", "password", "password_confirm"]


class UserEditForm(BootstrapFormMixin, PersonFieldMixin, VersionFormMixin, forms.Form):
    display_name = forms.CharField(
        label="显示名称", max_length=50, required=False, help_text="不填则显示对应人员的姓名"
    )
    is_active = forms.BooleanField(
        label="账号启用", required=False, help_text="停用后该账号立即无法登录，已登录的会话也随之失效；可随时重新启用。"
    )
    field_order = ["display_name", "person", "is_active"]


class PasswordResetForm(BootstrapFormMixin, IssuedPasswordMixin):
    pass


class GrantFieldsMixin(forms.Form):
    # A mixin placed after BootstrapFormMixin, so the scoped choices are in place before the
    # bound form is first validated.
    role = forms.ChoiceField(label="角色", help_text=ROLE_HELP_TEXT)
    organization = OrganizationChoiceField(
        label="授权党组织",
        queryset=Organization.objects.none(),
        help_text="角色覆盖所选组织及其全部下级组织",
    )

    def __init__(self, *args, role_choices=(), organization_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "请选择角色"), *role_choices]
        if organization_queryset is not None:
            self.fields["organization"].queryset = organization_queryset
        self.fields["organization"].empty_label = "请选择党组织"


class GrantForm(BootstrapFormMixin, GrantFieldsMixin):
    pass
