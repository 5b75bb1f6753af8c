"""Login/logout/own password, and account management for administrators (thin views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import GrantForm, PasswordChangeForm, PasswordResetForm, UserCreateForm, UserEditForm
from accounts.models import ROLE_HELP, Role, RoleGrant, User
from accounts.policies import grantable_roles
from core.audit import entries_for
from core.forms import BootstrapFormMixin
from core.scope import ADMIN_ROLES, Scope, policy_for
from core.viewutils import ServiceCall, apply_validation_error, paginate, require_roles

USERS_CRUMB = ("账号与权限", "/accounts/users/")


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续输错5次将锁定账号30分钟。",
        "inactive": "该账号已停用，请联系管理员。",
    }


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("accounts:login")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_change_own_password(actor=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("core:home")
    return render(
        request,
        "accounts/password_change.html",
        {
            "page_title": "修改密码",
            "breadcrumbs": [("修改密码", None)],
            "form": form,
            "forced": request.user.must_change_password,
        },
    )


# ------------------------------------------------------------------ account management


def _user_crumbs(account: User, *tail):
    return [USERS_CRUMB, (str(account), reverse("accounts:user_detail", args=[account.pk])), *tail]


def _person_kwargs(request, account=None):
    # A committee administrator opens accounts only for people in their scope; when editing, the
    # service refuses to unlink the person (the account would drop out of their scope).
    return {
        "person_queryset": selectors.linkable_people(request.user, current=account),
        "person_required": account is None and not Scope.of(request.user).is_sysadmin,
    }


def _grant_form(request, data=None):
    return GrantForm(
        data,
        role_choices=grantable_roles(request.user),
        organization_queryset=selectors.grantable_orgs(request.user),
    )


@login_required
def user_list(request):
    require_roles(request.user, *ADMIN_ROLES)
    params = request.GET
    qs = selectors.users_list(
        request.user, q=params.get("q", ""), role=params.get("role", ""), active=params.get("active", "")
    )
    page = paginate(request, qs)
    accounts = list(page.object_list)
    locked = selectors.locked_usernames(a.username for a in accounts)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page_title": "账号与权限",
            "breadcrumbs": [("系统管理", None), ("账号与权限", None)],
            "page_obj": page,
            "rows": [{"account": a, "locked": a.username in locked} for a in accounts],
            "params": params,
            "roles": Role.choices,
            "role_help": [(Role(code).label, text) for code, text in ROLE_HELP.items()],
        },
    )


@login_required
def user_create(request):
    require_roles(request.user, *ADMIN_ROLES)
    form = UserCreateForm(request.POST or None, **_person_kwargs(request))
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            account = services.user_create(
                actor=request.user,
                username=data["username"],
                display_name=data["display_name"],
                person=data["person"],
                password=data["password"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"已新建账号“{account.username}”。首次登录时须修改密码；请为其授予角色，否则登录后无法访问业务数据。",
            )
            return redirect("accounts:user_detail", pk=account.pk)
    return render(
        request,
        "accounts/user_form.html",
        {
            "page_title": "新建账号",
            "breadcrumbs": [USERS_CRUMB, ("新建账号", None)],
            "form": form,
            "cancel_url": reverse("accounts:user_list"),
            "submit_label": "新建账号",
        },
    )


@login_required
def user_detail(request, pk):
    require_roles(request.user, *ADMIN_ROLES)
    policy = policy_for(User)
    account = policy.get_or_404(request.user, queryset=User.objects.select_related("person__organization"), pk=pk)
    scoped_grant_ids = set(selectors.grants_in_scope(request.user).filter(user=account).values_list("pk", flat=True))
    grants = []
    hidden = 0
    for grant in account.grants.select_related("organization", "granted_by").order_by("organization__path", "role"):
        if grant.pk not in scoped_grant_ids:
            hidden += 1
            continue
        grants.append({"grant": grant, "can_remove": policy_for(RoleGrant).can(request.user, "delete", grant)})
    return render(
        request,
        "accounts/user_detail.html",
        {
            "page_title": f"账号：{account}",
            "breadcrumbs": [USERS_CRUMB, (str(account), None)],
            "account": account,
            "grants": grants,
            "hidden_grants": hidden,
            "can_change": policy.can(request.user, "change", account),
            "locked": selectors.is_locked(account.username),
            "grant_form": _grant_form(request),
            "role_help": [(Role(code).label, text) for code, text in ROLE_HELP.items()],
            "audit_entries": entries_for(account)[:30],
            "is_self": account.pk == request.user.pk,
        },
    )


@login_required
def user_edit(request, pk):
    require_roles(request.user, *ADMIN_ROLES)
    account = policy_for(User).get_or_404(request.user, "change", pk=pk)
    initial = {
        "display_name": account.display_name,
        "person": account.person_id,
        "is_active": account.is_active,
        "version": account.version,
    }
    form = UserEditForm(request.POST or None, initial=initial, **_person_kwargs(request, account))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        call = ServiceCall(
            form,
            services.user_update,
            actor=request.user,
            user=account,
            data=data,
            expected_version=form.cleaned_data.get("version"),
        )
        conflict = call.conflict
        if call.ok:
            messages.success(request, "已保存。")
            return redirect("accounts:user_detail", pk=account.pk)
    return render(
        request,
        "accounts/user_form.html",
        {
            "page_title": f"编辑账号：{account.username}",
            "breadcrumbs": _user_crumbs(account, ("编辑", None)),
            "form": form,
            "conflict": conflict,
            "account": account,
            "cancel_url": reverse("accounts:user_detail", args=[account.pk]),
        },
    )


@login_required
def user_reset_password(request, pk):
    require_roles(request.user, *ADMIN_ROLES)
    account = policy_for(User).get_or_404(request.user, "change", pk=pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_reset_password(actor=request.user, user=account, password=form.cleaned_data["password"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已重置“{account.username}”的密码，本人下次登录时须修改密码。")
            return redirect("accounts:user_detail", pk=account.pk)
    return render(
        request,
        "accounts/user_form.html",
        {
            "page_title": f"重置密码：{account.username}",
            "breadcrumbs": _user_crumbs(account, ("重置密码", None)),
            "form": form,
            "account": account,
            "cancel_url": reverse("accounts:user_detail", args=[account.pk]),
            "submit_label": "重置密码",
            "intro": "为该账号设置一个新的临时密码。本人下次登录时必须先修改密码才能继续使用系统。",
        },
    )


def _set_active(request, pk, active: bool):
    require_roles(request.user, *ADMIN_ROLES)
    account = policy_for(User).get_or_404(request.user, "change", pk=pk)
    try:
        services.user_set_active(actor=request.user, user=account, active=active)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已{'启用' if active else '停用'}账号“{account.username}”。")
    return redirect("accounts:user_detail", pk=account.pk)


@login_required
@require_POST
def user_deactivate(request, pk):
    return _set_active(request, pk, False)


@login_required
@require_POST
def user_reactivate(request, pk):
    return _set_active(request, pk, True)


@login_required
@require_POST
def user_unlock(request, pk):
    require_roles(request.user, *ADMIN_ROLES)
    account = policy_for(User).get_or_404(request.user, "change", pk=pk)
    services.user_unlock(actor=request.user, user=account)
    messages.success(request, f"已解除“{account.username}”的登录锁定。")
    return redirect("accounts:user_detail", pk=account.pk)


@login_required
def grant_add(request, pk):
    require_roles(request.user, *ADMIN_ROLES)
    account = policy_for(User).get_or_404(request.user, pk=pk)
    form = _grant_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_add(actor=request.user, user=account, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            grant_label = f"{Role(form.cleaned_data['role']).label}（{form.cleaned_data['organization'].name}）"
            messages.success(request, f"已授予“{account}”{grant_label}角色。")
            return redirect("accounts:user_detail", pk=account.pk)
    return render(
        request,
        "accounts/grant_form.html",
        {
            "page_title": f"授予角色：{account}",
            "breadcrumbs": _user_crumbs(account, ("授予角色", None)),
            "form": form,
            "account": account,
            "role_help": [(Role(code).label, text) for code, text in ROLE_HELP.items()],
        },
    )


@login_required
@require_POST
def grant_remove(request, pk, grant_pk):
    require_roles(request.user, *ADMIN_ROLES)
    account = policy_for(User).get_or_404(request.user, pk=pk)
    grant = policy_for(RoleGrant).get_or_404(
        request.user,
        "delete",
        queryset=RoleGrant.objects.select_related("organization"),
        pk=grant_pk,
        user_id=account.pk,
    )
    try:
        services.grant_remove(actor=request.user, grant=grant)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已撤销“{account}”的{grant.get_role_display()}（{grant.organization.name}）角色。")
    return redirect("accounts:user_detail", pk=account.pk)
