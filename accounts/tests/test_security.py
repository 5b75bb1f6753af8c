import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import User
from conftest import PASSWORD
from core.audit import entries_for

NEW_PASSWORD = "Issued-pass-2026"


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_password_hashes_are_argon2(bureau):
    user = services.user_create(
        actor=bureau.users.admin, username="newbie", password=NEW_PASSWORD, display_name="新人", person=None
    )
    assert User.objects.get(pk=user.pk).password.startswith("argon2")


@pytest.mark.django_db
class TestLockout:
    def test_five_failures_lock_then_admin_unlocks(self, bureau, client, client_for):
        assert settings.AXES_FAILURE_LIMIT == 5
        for i in range(4):
            r = _login(client, "sec1", "wrong-password")
            assert r.status_code == 200, i
            assert "用户名或密码不正确" in r.content.decode()
        r = _login(client, "sec1", "wrong-password")  # the fifth failure locks
        assert "accounts/locked_out.html" in [t.name for t in r.templates]

        r = _login(client, "sec1", PASSWORD)  # right password, still refused
        assert "accounts/locked_out.html" in [t.name for t in r.templates]
        assert "账号已临时锁定" in r.content.decode()
        assert "_auth_user_id" not in client.session

        # The administrator sees the lock and lifts it.
        admin_client = client_for(bureau.users.committee)
        detail = admin_client.get(reverse("accounts:user_detail", args=[bureau.users.sec1.pk]))
        assert detail.context["locked"] is True
        r = admin_client.post(reverse("accounts:user_unlock", args=[bureau.users.sec1.pk]))
        assert r.status_code == 302
        entry = entries_for(bureau.users.sec1).get()
        assert entry.action == "accounts.user.unlocked"
        assert entry.changes["locked"] == [True, False]
        admin_client.logout()

        r = _login(client, "sec1", PASSWORD)
        assert r.status_code == 302 and r.url == reverse("core:home")
        assert client.session["_auth_user_id"] == str(bureau.users.sec1.pk)

    def test_four_failures_do_not_lock(self, bureau, client):
        for _ in range(4):
            _login(client, "sec2", "wrong-password")
        r = _login(client, "sec2", PASSWORD)
        assert r.status_code == 302

    def test_deactivated_account_cannot_log_in(self, bureau, client):
        services.user_set_active(actor=bureau.users.committee, user=bureau.users.sec1, active=False)
        r = _login(client, "sec1", PASSWORD)
        assert r.status_code == 200
        assert "_auth_user_id" not in client.session

    def test_deactivation_ends_existing_session(self, bureau, client):
        _login(client, "sec1", PASSWORD)
        assert client.get(reverse("core:home")).status_code == 200
        services.user_set_active(actor=bureau.users.committee, user=bureau.users.sec1, active=False)
        r = client.get(reverse("core:home"))
        assert r.status_code == 302 and r.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
class TestForcedPasswordChange:
    def test_issued_password_forces_change(self, bureau, client):
        services.user_create(
            actor=bureau.users.committee, username="zhaoliu", password=NEW_PASSWORD, display_name="", person=bureau.zhao
        )
        r = _login(client, "zhaoliu", NEW_PASSWORD)
        assert r.status_code == 302
        change_url = reverse("accounts:password_change")
        for url in [reverse("core:home"), reverse("orgs:person_list"), reverse("accounts:user_list")]:
            r = client.get(url)
            assert r.status_code == 302 and r.url == change_url, url
        r = client.get(change_url)
        assert r.status_code == 200 and r.context["forced"] is True

        r = client.post(
            change_url,
            {"old_password": NEW_PASSWORD, "new_password1": "Only-I-know-77", "new_password2": "Only-I-know-77"},
        )
        assert r.status_code == 302
        user = User.objects.get(username="zhaoliu")
        assert not user.must_change_password
        assert user.check_password("Only-I-know-77")
        assert client.get(reverse("core:home")).status_code == 200  # still logged in, app usable

    def test_admin_reset_forces_change_again(self, bureau, client):
        services.user_reset_password(actor=bureau.users.committee, user=bureau.users.sec1, password=NEW_PASSWORD)
        _login(client, "sec1", NEW_PASSWORD)
        r = client.get(reverse("orgs:organization_list"))
        assert r.status_code == 302 and r.url == reverse("accounts:password_change")


@pytest.mark.django_db
class TestSessionExpiry:
    def _session(self, client):
        return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)

    @pytest.mark.parametrize("age", [settings.SESSION_COOKIE_AGE, 600])
    def test_expiry_set_from_settings_after_login(self, bureau, client, age):
        with override_settings(SESSION_COOKIE_AGE=age):
            before = timezone.now()
            _login(client, "sec1", PASSWORD)
            session = self._session(client)
            assert session.get_decoded()["_auth_user_id"] == str(bureau.users.sec1.pk)
            expected = before + datetime.timedelta(seconds=age)
            assert abs((session.expire_date - expected).total_seconds()) < 30
            assert client.session.get_expiry_age() == age

    def test_pages_do_not_write_the_session_within_the_renewal_interval(self, bureau, client):
        with override_settings(SESSION_RENEW_SECONDS=60):
            _login(client, "sec1", PASSWORD)
            expire = self._session(client).expire_date
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("core:home")).status_code == 200
            writes = [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
            assert writes == []
            assert self._session(client).expire_date == expire

    def test_idle_expiry_is_renewed_once_the_interval_has_passed(self, bureau, client):
        _login(client, "sec1", PASSWORD)
        session = self._session(client)
        soon = timezone.now() + datetime.timedelta(seconds=30)
        data = session.get_decoded()
        data["_renewed_at"] -= 61  # signed in a minute ago
        Session.objects.filter(pk=session.pk).update(session_data=SessionStore().encode(data), expire_date=soon)
        with override_settings(SESSION_RENEW_SECONDS=60):
            before = timezone.now()
            assert client.get(reverse("core:home")).status_code == 200
        renewed = self._session(client)
        expected = before + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        assert abs((renewed.expire_date - expected).total_seconds()) < 30
        assert renewed.get_decoded()["_renewed_at"] >= int(before.timestamp()) - 1
        # …and the next page within the interval writes nothing again.
        with override_settings(SESSION_RENEW_SECONDS=60):
            assert client.get(reverse("core:home")).status_code == 200
        assert self._session(client).expire_date == renewed.expire_date

    def test_expired_session_requires_login(self, bureau, client):
        _login(client, "sec1", PASSWORD)
        assert client.get(reverse("core:home")).status_code == 200
        Session.objects.filter(pk=self._session(client).pk).update(
            expire_date=timezone.now() - datetime.timedelta(seconds=1)
        )
        r = client.get(reverse("core:home"))
        assert r.status_code == 302 and r.url.startswith(reverse("accounts:login"))
