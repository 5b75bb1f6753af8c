"""Account writes: every one runs in a transaction and writes exactly one audit entry.

Passwords never reach the audit trail: their changes are recorded as "******".
Permission rules that protect privileges (who may grant what, whose account an administrator
may touch) are enforced here as well as in the views, so no caller can bypass them.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Role, RoleGrant, User
from accounts.policies import can_grant, manageable_people
from core import audit
from core.concurrency import check_version
from core.scope import ADMIN_ROLES, Scope, policy_for

A = audit.register_action
A("accounts.user.password_changed", "修改本人密码")
A("accounts.user.created", "新建账号")
A("accounts.user.updated", "修改账号")
A("accounts.user.password_reset", "重置账号密码")
A("accounts.user.deactivated", "停用账号")
A("accounts.user.reactivated", "启用账号")
A("accounts.user.unlocked", "解除账号锁定")
A("accounts.grant.added", "授予角色")
A("accounts.grant.removed", "撤销角色")

MASK = "******"
USER_FIELDS = ["username", "display_name", "person", "is_active", "must_change_password"]


def user_change_own_password(*, actor: User, new_password: str) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit.record(actor=user, action="accounts.user.password_changed", obj=user, changes={"password": [MASK, MASK]})
    return user


# ------------------------------------------------------------------ helpers


def _require_admin(actor) -> Scope:
    scope = Scope.of(actor)
    if not scope.has_role(*ADMIN_ROLES):
        raise PermissionDenied("只有系统管理员和机关党委管理员可以管理账号")
    return scope


def _require_change(actor, user: User) -> None:
    _require_admin(actor)
    if not policy_for(User).can(actor, "change", user):
        raise PermissionDenied("该账号不在您的管理范围内")


def _check_person(actor, person, user: User | None) -> None:
    if person is None:
        if not Scope.of(actor).is_sysadmin:
            raise ValidationError({"person": "请选择该账号对应的人员（机关党委管理员只能为本范围内的人员开设账号）"})
        return
    from orgs.selectors import people_visible

    if not manageable_people(actor, people_visible(actor)).filter(pk=person.pk).exists():
        raise ValidationError({"person": "该人员不在您的管理范围内"})
    taken = User.objects.filter(person=person)
    if user is not None and user.pk:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise ValidationError({"person": f"人员“{person.name}”已有账号，一个人只能对应一个账号"})


def _check_password(password: str, user: User) -> None:
    if not password:
        raise ValidationError({"password": "请设置初始密码"})
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


def _org_of(user: User):
    """The organization an account's audit entries are filed under."""
    if user.person_id and user.person is not None:
        return user.person.organization
    grant = user.grants.select_related("organization").order_by("organization__path").first()
    return grant.organization if grant else None


def _snapshot(user: User, fields) -> dict:
    data = audit.snapshot(user, [f for f in fields if f != "person"])
    if "person" in fields:
        data["person"] = str(user.person) if user.person_id else None
    return data


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


# ------------------------------------------------------------------ accounts


def user_create(
    *, actor: User, username: str, password: str, display_name: str = "", person=None, is_active: bool = True
) -> User:
    """Create an account with an administrator-issued password: the user must change it at first login."""
    _require_admin(actor)
    username = (username or "").strip()
    user = User(
        username=username,
        display_name=(display_name or "").strip(),
        person=person,
        is_active=is_active,
        must_change_password=True,
    )
    if not username:
        raise ValidationError({"username": "请填写用户名"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已被使用"})
    _check_person(actor, person, None)
    _check_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise ValidationError({"username": f"用户名“{username}”已被使用"}) from None
        changes = audit.diff({}, _snapshot(user, USER_FIELDS))
        changes["password"] = [None, MASK]
        audit.record(actor=actor, action="accounts.user.created", obj=user, organization=_org_of(user), changes=changes)
    return user


def user_update(*, actor: User, user: User, data: dict, expected_version: int | None = None) -> User:
    """Change display name, linked person and active flag. Deactivating/reactivating through
    the edit form is filed under the matching action code."""
    _require_change(actor, user)
    allowed = {"display_name", "person", "is_active"}
    data = {k: v for k, v in data.items() if k in allowed}
    with transaction.atomic():
        locked = _locked(user)
        check_version(locked, expected_version)
        if "person" in data and data["person"] != locked.person:
            _check_person(actor, data["person"], locked)
        if data.get("is_active") is False and locked.pk == actor.pk:
            raise ValidationError({"is_active": "不能停用自己的账号"})
        fields = list(data)
        before = _snapshot(locked, fields)
        for key, value in data.items():
            setattr(locked, key, value.strip() if isinstance(value, str) else value)
        changes = audit.diff(before, _snapshot(locked, fields))
        if not changes:
            return locked
        locked.full_clean(exclude=["password"])
        locked.version += 1
        changes["version"] = [locked.version - 1, locked.version]
        locked.save(update_fields=[f for f in fields if f in changes] + ["version"])
        action = "accounts.user.updated"
        if "is_active" in changes:
            action = "accounts.user.reactivated" if locked.is_active else "accounts.user.deactivated"
        audit.record(actor=actor, action=action, obj=locked, organization=_org_of(locked), changes=changes)
    return locked


def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (the account can no longer log in; its sessions end) or reactivate an account."""
    _require_change(actor, user)
    with transaction.atomic():
        locked = _locked(user)
        if locked.is_active == active:
            return locked
        if not active and locked.pk == actor.pk:
            raise ValidationError("不能停用自己的账号")
        locked.is_active = active
        locked.version += 1
        locked.save(update_fields=["is_active", "version"])
        audit.record(
            actor=actor,
            action="accounts.user.reactivated" if active else "accounts.user.deactivated",
            obj=locked,
            organization=_org_of(locked),
            changes={"is_active": [not active, active], "version": [locked.version - 1, locked.version]},
        )
    return locked


def user_reset_password(*, actor: User, user: User, password: str) -> User:
    """Issue a new password; the user must change it at the next login."""
    _require_change(actor, user)
    with transaction.atomic():
        locked = _locked(user)
        _check_password(password, locked)
        was = locked.must_change_password
        locked.set_password(password)
        locked.must_change_password = True
        locked.version += 1
        locked.save(update_fields=["password", "must_change_password", "version"])
        changes = {"password": [MASK, MASK], "version": [locked.version - 1, locked.version]}
        if not was:
            changes["must_change_password"] = [False, True]
        audit.record(
            actor=actor,
            action="accounts.user.password_reset",
            obj=locked,
            organization=_org_of(locked),
            changes=changes,
        )
    return locked


def user_unlock(*, actor: User, user: User) -> int:
    """Clear the failed-login lock-out (django-axes) of an account; returns the attempts removed."""
    from axes.utils import reset

    from accounts.selectors import is_locked

    _require_change(actor, user)
    with transaction.atomic():
        locked = _locked(user)
        was_locked = is_locked(locked.username)
        removed = reset(username=locked.username)
        audit.record(
            actor=actor,
            action="accounts.user.unlocked",
            obj=locked,
            organization=_org_of(locked),
            changes={"locked": [was_locked, False], "failed_login_records": [removed, 0]},
        )
    return removed


# ------------------------------------------------------------------ role grants


def _grant_label(role: str, organization) -> str:
    return f"{Role(role).label} · {organization.name}"


def grant_add(*, actor: User, user: User, role: str, organization) -> RoleGrant:
    _require_admin(actor)
    if not policy_for(User).can(actor, "view", user):
        raise PermissionDenied("该账号不在您的管理范围内")
    if role not in Role.values:
        raise ValidationError({"role": "请选择有效的角色"})
    if organization is None:
        raise ValidationError({"organization": "请选择授权的党组织"})
    if not can_grant(actor, role, organization):
        if role == Role.SYSADMIN:
            raise ValidationError({"role": "只有系统管理员可以授予系统管理员角色"})
        raise ValidationError({"organization": "您只能在本组织及下级组织范围内授权"})
    with transaction.atomic():
        _locked(user)  # serialise grant changes per account
        if RoleGrant.objects.filter(user=user, role=role, organization=organization).exists():
            raise ValidationError(f"该账号已在“{organization.name}”拥有“{Role(role).label}”角色")
        grant = RoleGrant.objects.create(
            user=user, role=role, organization=organization, granted_by=actor if actor.pk else None
        )
        audit.record(
            actor=actor,
            action="accounts.grant.added",
            obj=user,
            organization=organization,
            changes={"grant": [None, _grant_label(role, organization)]},
        )
    return grant


def grant_remove(*, actor: User, grant: RoleGrant) -> None:
    _require_admin(actor)
    if not can_grant(actor, grant.role, grant.organization):
        raise PermissionDenied("您无权撤销该授权")
    if grant.user_id == actor.pk and grant.role in ADMIN_ROLES:
        raise ValidationError("不能撤销自己的管理员角色，请由其他管理员办理")
    with transaction.atomic():
        user = _locked(grant.user)
        deleted, _ = RoleGrant.objects.filter(pk=grant.pk).delete()
        if not deleted:
            return
        audit.record(
            actor=actor,
            action="accounts.grant.removed",
            obj=user,
            organization=grant.organization,
            changes={"grant": [_grant_label(grant.role, grant.organization), None]},
        )
