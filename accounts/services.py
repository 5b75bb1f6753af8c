"""Account writes: every one audited."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from core import audit

A = audit.register_action
A("accounts.user.password_changed", "修改本人密码")


def user_change_own_password(*, actor: User, new_password: str) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit.record(
            actor=user, action="accounts.user.password_changed", obj=user, changes={"password": ["******", "******"]}
        )
    return user
