import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, RoleGrant, User
from conftest import make_user
from core.audit import entries_for
from orgs import services as org_services

NEW_PASSWORD = "Issued-pass-2026"
ROLES = ["admin", "committee", "sec1", "sec2", "discipline", "leader", "member", "nobody"]


def _get_urls(pk):
    return [
        reverse("accounts:user_list"),
        reverse("accounts:user_create"),
        reverse("accounts:user_detail", args=[pk]),
        reverse("accounts:user_edit", args=[pk]),
        reverse("accounts:user_reset_password", args=[pk]),
        reverse("accounts:grant_add", args=[pk]),
    ]


def _post_urls(pk, grant_pk):
    return [
        reverse("accounts:user_deactivate", args=[pk]),
        reverse("accounts:user_reactivate", args=[pk]),
        reverse("accounts:user_unlock", args=[pk]),
        reverse("accounts:grant_remove", args=[pk, grant_pk]),
    ]


@pytest.mark.django_db
class TestPermissionMatrix:
    @pytest.mark.parametrize("role", ROLES)
    def test_get_views(self, bureau, client_for, role):
        target = bureau.users.member
        client = client_for(getattr(bureau.users, role))
        expected = 200 if role in ("admin", "committee") else 403
        for url in _get_urls(target.pk):
            assert client.get(url).status_code == expected, (role, url)

    @pytest.mark.parametrize("role", ROLES)
    def test_post_views(self, bureau, client_for, role):
        target = bureau.users.member
        grant = target.grants.get()
        client = client_for(getattr(bureau.users, role))
        expected = 302 if role in ("admin", "committee") else 403
        for url in _post_urls(target.pk, grant.pk):
            assert client.post(url).status_code == expected, (role, url)
        # Nothing changed for the refused roles.
        assert RoleGrant.objects.filter(pk=grant.pk).exists() == (expected == 403)

    def test_anonymous_redirected_to_login(self, bureau, client):
        target = bureau.users.member
        for url in _get_urls(target.pk):
            r = client.get(url)
            assert r.status_code == 302 and r.url.startswith(reverse("accounts:login")), url
        for url in _post_urls(target.pk, target.grants.get().pk):
            r = client.post(url)
            assert r.status_code == 302 and r.url.startswith(reverse("accounts:login")), url
        assert RoleGrant.objects.filter(user=target).exists()

    def test_post_only_views_refuse_get(self, bureau, client_for):
        client = client_for(bureau.users.admin)
        target = bureau.users.member
        for url in _post_urls(target.pk, target.grants.get().pk):
            assert client.get(url).status_code == 405, url

    def test_account_outside_scope_is_404(self, bureau, client_for, b1_admin):
        client = client_for(b1_admin)
        sec2 = bureau.users.sec2
        for url in _get_urls(sec2.pk)[2:] + _post_urls(sec2.pk, sec2.grants.get().pk):
            method = client.get if url in _get_urls(sec2.pk) else client.post
            assert method(url).status_code == 404, url
        assert client.get(reverse("accounts:user_detail", args=[bureau.users.sec1.pk])).status_code == 200
        assert RoleGrant.objects.filter(user=sec2).exists()
        assert User.objects.get(pk=sec2.pk).is_active

    def test_committee_may_view_but_not_change_sysadmin(self, bureau, client_for):
        client = client_for(bureau.users.committee)
        admin = bureau.users.admin
        r = client.get(reverse("accounts:user_detail", args=[admin.pk]))
        assert r.status_code == 200
        assert reverse("accounts:user_edit", args=[admin.pk]) not in r.content.decode()
        assert client.get(reverse("accounts:user_edit", args=[admin.pk])).status_code == 404
        assert client.get(reverse("accounts:user_reset_password", args=[admin.pk])).status_code == 404
        assert client.post(reverse("accounts:user_deactivate", args=[admin.pk])).status_code == 404
        # The sysadmin grant cannot be revoked by a committee administrator either.
        grant = admin.grants.get()
        assert client.post(reverse("accounts:grant_remove", args=[admin.pk, grant.pk])).status_code == 404
        assert RoleGrant.objects.filter(pk=grant.pk).exists()
        assert User.objects.get(pk=admin.pk).is_active

    def test_grant_of_other_account_is_404(self, bureau, client_for):
        client = client_for(bureau.users.admin)
        other = bureau.users.sec2.grants.get()
        url = reverse("accounts:grant_remove", args=[bureau.users.sec1.pk, other.pk])
        assert client.post(url).status_code == 404
        assert RoleGrant.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
class TestList:
    def test_total_and_filters(self, bureau, client_for):
        client = client_for(bureau.users.admin)
        r = client.get(reverse("accounts:user_list"))
        assert r.context["page_obj"].paginator.count == 8
        assert '共 <strong id="list-total">8</strong> 条' in r.content.decode()

        r = client.get(reverse("accounts:user_list"), {"role": Role.BRANCH_SECRETARY})
        assert {row["account"].username for row in r.context["rows"]} == {"sec1", "sec2"}

        r = client.get(reverse("accounts:user_list"), {"q": "zhangsan"})  # pinyin of 张三 (member)
        assert [row["account"].username for row in r.context["rows"]] == ["member"]
        r = client.get(reverse("accounts:user_list"), {"q": "ssj"})  # initials of 孙书记 (sec1)
        assert [row["account"].username for row in r.context["rows"]] == ["sec1"]
        r = client.get(reverse("accounts:user_list"), {"q": "周书记"})
        assert [row["account"].username for row in r.context["rows"]] == ["sec2"]

        r = client.get(reverse("accounts:user_list"), {"q": "SEC"})
        assert {row["account"].username for row in r.context["rows"]} == {"sec1", "sec2"}

        User.objects.filter(username="leader").update(is_active=False)
        r = client.get(reverse("accounts:user_list"), {"active": "0"})
        assert [row["account"].username for row in r.context["rows"]] == ["leader"]
        r = client.get(reverse("accounts:user_list"), {"active": "1"})
        assert r.context["page_obj"].paginator.count == 7

    def test_committee_scope_in_list(self, bureau, client_for, b1_admin):
        r = client_for(b1_admin).get(reverse("accounts:user_list"))
        assert {row["account"].username for row in r.context["rows"]} == {"sec1", "member", "b1admin"}
        html = r.content.decode()
        assert "机关第二党支部" not in html

    def test_locked_badge(self, bureau, client_for):
        from axes.models import AccessAttempt

        AccessAttempt.objects.create(
            username="sec1", ip_address="10.0.0.1", user_agent="x", failures_since_start=5, get_data="", post_data=""
        )
        r = client_for(bureau.users.admin).get(reverse("accounts:user_list"))
        rows = {row["account"].username: row["locked"] for row in r.context["rows"]}
        assert rows["sec1"] is True and rows["sec2"] is False

    def test_query_count_constant(self, bureau, client_for):
        client = client_for(bureau.users.admin)
        url = reverse("accounts:user_list")
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        for i in range(12):
            person = org_services.person_create(
                actor=None, data={"name": f"测试{i}", "organization": bureau.b2, "party_status": "non_member"}
            )
            make_user(f"extra{i}", person=person, grants=[(Role.MEMBER, bureau.b2), (Role.LEADER, bureau.b1)])
        with CaptureQueriesContext(connection) as large:
            r = client.get(url)
        assert r.context["page_obj"].paginator.count == 20
        assert len(large) == len(small)


@pytest.mark.django_db
class TestWrites:
    def test_create_account(self, bureau, client_for):
        client = client_for(bureau.users.committee)
        r = client.post(
            reverse("accounts:user_create"),
            {
                "username": "zhaoliu",
                "display_name": "赵六",
                "person": bureau.zhao.pk,
                "password": NEW_PASSWORD,
                "password_confirm": NEW_PASSWORD,
            },
        )
        user = User.objects.get(username="zhaoliu")
        assert r.status_code == 302 and r.url == reverse("accounts:user_detail", args=[user.pk])
        assert user.must_change_password and user.password.startswith("argon2")
        assert entries_for(user).get().action == "accounts.user.created"

    def test_create_errors_keep_form(self, bureau, client_for):
        client = client_for(bureau.users.committee)
        r = client.post(
            reverse("accounts:user_create"),
            {
                "username": "zhaoliu",
                "display_name": "赵六",
                "person": bureau.zhao.pk,
                "password": NEW_PASSWORD,
                "password_confirm": "different-123x",
            },
        )
        assert r.status_code == 200
        assert "两次输入的密码不一致" in r.content.decode()
        assert 'value="赵六"' in r.content.decode()
        assert not User.objects.filter(username="zhaoliu").exists()
        r = client.post(
            reverse("accounts:user_create"),
            {"username": "sec1", "person": bureau.zhao.pk, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        )
        assert r.status_code == 200 and "已被使用" in r.content.decode()

    def test_person_choices_are_scoped_and_free(self, bureau, client_for, b1_admin):
        r = client_for(b1_admin).get(reverse("accounts:user_create"))
        people = set(r.context["form"].fields["person"].queryset.values_list("name", flat=True))
        # b1 subtree people without an account: 张三 (member), 孙书记 (sec1), 李四 (b1admin) are taken.
        assert people == {"钱七"}

    def test_edit_account(self, bureau, client_for):
        client = client_for(bureau.users.committee)
        sec1 = bureau.users.sec1
        url = reverse("accounts:user_edit", args=[sec1.pk])
        assert client.get(url).context["form"].initial["version"] == 1
        r = client.post(
            url, {"display_name": "孙书记", "person": bureau.sec1_person.pk, "is_active": "on", "version": 1}
        )
        assert r.status_code == 302
        sec1.refresh_from_db()
        assert sec1.display_name == "孙书记" and sec1.version == 2
        # A stale form is refused with the conflict message.
        r = client.post(
            url, {"display_name": "旧表单", "person": bureau.sec1_person.pk, "is_active": "on", "version": 1}
        )
        assert r.status_code == 200 and "edit-conflict" in r.content.decode()
        sec1.refresh_from_db()
        assert sec1.display_name == "孙书记"

    def test_edit_account_without_person(self, bureau, client_for):
        client = client_for(bureau.users.committee)
        leader = bureau.users.leader  # no linked person: the display name can still be edited
        r = client.post(
            reverse("accounts:user_edit", args=[leader.pk]),
            {"display_name": "局领导", "person": "", "is_active": "on", "version": 1},
        )
        assert r.status_code == 302
        assert User.objects.get(pk=leader.pk).display_name == "局领导"

    def test_reset_password_view(self, bureau, client_for):
        client = client_for(bureau.users.committee)
        sec1 = bureau.users.sec1
        r = client.post(
            reverse("accounts:user_reset_password", args=[sec1.pk]),
            {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        )
        assert r.status_code == 302
        sec1.refresh_from_db()
        assert sec1.check_password(NEW_PASSWORD) and sec1.must_change_password
        assert NEW_PASSWORD not in client.get(reverse("accounts:user_detail", args=[sec1.pk])).content.decode()

    def test_deactivate_reactivate_views(self, bureau, client_for):
        client = client_for(bureau.users.committee)
        sec1 = bureau.users.sec1
        client.post(reverse("accounts:user_deactivate", args=[sec1.pk]))
        assert not User.objects.get(pk=sec1.pk).is_active
        client.post(reverse("accounts:user_reactivate", args=[sec1.pk]))
        assert User.objects.get(pk=sec1.pk).is_active
        r = client.post(reverse("accounts:user_deactivate", args=[bureau.users.committee.pk]), follow=True)
        assert "不能停用自己的账号" in r.content.decode()
        assert User.objects.get(pk=bureau.users.committee.pk).is_active

    def test_grant_add_and_remove_views(self, bureau, client_for):
        client = client_for(bureau.users.committee)
        sec1 = bureau.users.sec1
        r = client.post(
            reverse("accounts:grant_add", args=[sec1.pk]), {"role": Role.DISCIPLINE, "organization": bureau.b1.pk}
        )
        assert r.status_code == 302, r.context["form"].errors
        grant = RoleGrant.objects.get(user=sec1, role=Role.DISCIPLINE)
        detail = client.get(reverse("accounts:user_detail", args=[sec1.pk])).content.decode()
        assert "纪检" in detail and reverse("accounts:grant_remove", args=[sec1.pk, grant.pk]) in detail
        r = client.post(reverse("accounts:grant_remove", args=[sec1.pk, grant.pk]))
        assert r.status_code == 302
        assert not RoleGrant.objects.filter(pk=grant.pk).exists()
        actions = list(entries_for(sec1).order_by("id").values_list("action", flat=True))
        assert actions == ["accounts.grant.added", "accounts.grant.removed"]

    def test_grant_form_offers_only_grantable(self, bureau, client_for, b1_admin):
        r = client_for(b1_admin).get(reverse("accounts:grant_add", args=[bureau.users.sec1.pk]))
        form = r.context["form"]
        assert set(form.fields["organization"].queryset.values_list("name", flat=True)) == {
            "机关第一党支部",
            "第一党小组",
        }
        assert Role.SYSADMIN not in dict(form.fields["role"].choices)
        assert "本组织及下级的管理" in r.content.decode()
        r = client_for(bureau.users.admin).get(reverse("accounts:grant_add", args=[bureau.users.sec1.pk]))
        assert Role.SYSADMIN in dict(r.context["form"].fields["role"].choices)

    def test_grant_outside_subtree_refused_in_view(self, bureau, client_for, b1_admin):
        client = client_for(b1_admin)
        r = client.post(
            reverse("accounts:grant_add", args=[bureau.users.sec1.pk]),
            {"role": Role.COMMITTEE_ADMIN, "organization": bureau.root.pk},
        )
        assert r.status_code == 200 and r.context["form"].errors
        r = client.post(
            reverse("accounts:grant_add", args=[bureau.users.sec1.pk]),
            {"role": Role.SYSADMIN, "organization": bureau.b1.pk},
        )
        assert r.status_code == 200 and r.context["form"].errors
        assert RoleGrant.objects.filter(user=bureau.users.sec1).count() == 1

    def test_detail_shows_role_help_and_audit(self, bureau, client_for):
        client = client_for(bureau.users.committee)
        sec1 = bureau.users.sec1
        client.post(
            reverse("accounts:user_edit", args=[sec1.pk]),
            {"display_name": "书记", "person": bureau.sec1_person.pk, "is_active": "on", "version": 1},
        )
        html = client.get(reverse("accounts:user_detail", args=[sec1.pk])).content.decode()
        for text in [
            "全部权限",
            "本组织及下级的管理",
            "本支部的录入与管理",
            "本范围的纪检记录",
            "只读总览",
            "本人记录",
        ]:
            assert text in html
        assert 'id="audit-history"' in html and "修改账号" in html


@pytest.mark.django_db
def test_navigation_entry(bureau, client_for):
    for role, shown in [("admin", True), ("committee", True), ("sec1", False), ("leader", False), ("member", False)]:
        html = client_for(getattr(bureau.users, role)).get(reverse("core:home")).content.decode()
        assert ("账号与权限" in html) is shown, role
        assert (reverse("accounts:user_list") in html) is shown, role
