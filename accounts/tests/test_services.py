import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import Role, RoleGrant, User
from accounts.policies import can_grant
from core.audit import entries_for
from core.concurrency import ConcurrentEditError
from core.models import AuditEntry
from core.scope import policy_for

NEW_PASSWORD = "Issued-pass-2026"


def _new_user(bureau, actor=None, **kw):
    data = {"username": "zhaoliu", "password": NEW_PASSWORD, "display_name": "", "person": bureau.zhao}
    data.update(kw)
    return services.user_create(actor=actor or bureau.users.committee, **data)


def _all_changes_text():
    return " ".join(str(e.changes) for e in AuditEntry.objects.all())


@pytest.mark.django_db
class TestUserCreate:
    def test_creates_with_argon2_and_forced_change(self, bureau):
        user = _new_user(bureau)
        user.refresh_from_db()
        assert user.password.startswith("argon2")
        assert user.check_password(NEW_PASSWORD)
        assert user.must_change_password is True
        assert user.person == bureau.zhao

    def test_writes_one_masked_audit_entry(self, bureau):
        before = AuditEntry.objects.count()
        user = _new_user(bureau)
        assert AuditEntry.objects.count() == before + 1
        entry = entries_for(user).get()
        assert entry.action == "accounts.user.created"
        assert entry.actor == bureau.users.committee
        assert entry.organization == bureau.b2
        assert entry.changes["password"] == [None, "******"]
        assert entry.changes["username"] == [None, "zhaoliu"]
        assert entry.changes["person"] == [None, "赵六"]
        assert NEW_PASSWORD not in _all_changes_text()
        assert user.password not in _all_changes_text()

    def test_duplicate_username_case_insensitive(self, bureau):
        with pytest.raises(ValidationError) as exc:
            _new_user(bureau, username="SEC1")
        assert "username" in exc.value.message_dict
        assert not User.objects.filter(username="SEC1").exists()

    def test_weak_password_refused(self, bureau):
        with pytest.raises(ValidationError) as exc:
            _new_user(bureau, password="12345678")
        assert "password" in exc.value.message_dict
        assert not User.objects.filter(username="zhaoliu").exists()

    def test_person_already_linked(self, bureau):
        with pytest.raises(ValidationError) as exc:
            _new_user(bureau, person=bureau.zhang)  # zhang is the `member` account's person
        assert "已有账号" in exc.value.message_dict["person"][0]

    def test_person_outside_admin_subtree(self, bureau, b1_admin):
        with pytest.raises(ValidationError) as exc:
            _new_user(bureau, actor=b1_admin, person=bureau.zhao)  # zhao is in b2
        assert "管理范围" in exc.value.message_dict["person"][0]

    def test_committee_admin_must_link_a_person(self, bureau):
        with pytest.raises(ValidationError) as exc:
            _new_user(bureau, person=None)
        assert "person" in exc.value.message_dict

    def test_sysadmin_may_create_without_person(self, bureau):
        user = _new_user(bureau, actor=bureau.users.admin, person=None, username="ops")
        assert user.person is None

    @pytest.mark.parametrize("role", ["sec1", "discipline", "leader", "member", "nobody"])
    def test_non_admins_refused(self, bureau, role):
        with pytest.raises(PermissionDenied):
            _new_user(bureau, actor=getattr(bureau.users, role))
        assert not User.objects.filter(username="zhaoliu").exists()


@pytest.mark.django_db
class TestUserUpdate:
    def test_update_audited(self, bureau):
        sec1 = bureau.users.sec1
        user = services.user_update(
            actor=bureau.users.committee, user=sec1, data={"display_name": "孙书记（一支部）"}, expected_version=1
        )
        assert user.display_name == "孙书记（一支部）"
        assert user.version == 2
        entry = entries_for(sec1).get()
        assert entry.action == "accounts.user.updated"
        assert entry.changes["display_name"] == ["", "孙书记（一支部）"]

    def test_no_change_no_entry(self, bureau):
        services.user_update(actor=bureau.users.committee, user=bureau.users.sec1, data={"display_name": ""})
        assert not entries_for(bureau.users.sec1).exists()

    def test_stale_version_refused(self, bureau):
        sec1 = bureau.users.sec1
        services.user_update(actor=bureau.users.committee, user=sec1, data={"display_name": "A"}, expected_version=1)
        with pytest.raises(ConcurrentEditError):
            services.user_update(actor=bureau.users.admin, user=sec1, data={"display_name": "B"}, expected_version=1)
        sec1.refresh_from_db()
        assert sec1.display_name == "A"

    def test_deactivating_through_edit_uses_deactivated_code(self, bureau):
        sec1 = bureau.users.sec1
        services.user_update(actor=bureau.users.committee, user=sec1, data={"is_active": False})
        sec1.refresh_from_db()
        assert sec1.is_active is False
        assert entries_for(sec1).get().action == "accounts.user.deactivated"

    def test_committee_admin_cannot_unlink_person(self, bureau):
        with pytest.raises(ValidationError) as exc:
            services.user_update(actor=bureau.users.committee, user=bureau.users.sec1, data={"person": None})
        assert "person" in exc.value.message_dict
        bureau.users.sec1.refresh_from_db()
        assert bureau.users.sec1.person == bureau.sec1_person
        services.user_update(actor=bureau.users.admin, user=bureau.users.sec1, data={"person": None})
        bureau.users.sec1.refresh_from_db()
        assert bureau.users.sec1.person is None
        assert entries_for(bureau.users.sec1).get().changes["person"] == ["孙书记", None]

    def test_cannot_change_account_outside_scope(self, bureau, b1_admin):
        with pytest.raises(PermissionDenied):
            services.user_update(actor=b1_admin, user=bureau.users.sec2, data={"display_name": "x"})

    def test_committee_admin_cannot_touch_sysadmin(self, bureau):
        with pytest.raises(PermissionDenied):
            services.user_reset_password(actor=bureau.users.committee, user=bureau.users.admin, password=NEW_PASSWORD)
        bureau.users.admin.refresh_from_db()
        assert not bureau.users.admin.check_password(NEW_PASSWORD)


@pytest.mark.django_db
class TestActiveAndPassword:
    def test_deactivate_and_reactivate(self, bureau):
        sec1 = bureau.users.sec1
        services.user_set_active(actor=bureau.users.committee, user=sec1, active=False)
        sec1.refresh_from_db()
        assert not sec1.is_active
        services.user_set_active(actor=bureau.users.committee, user=sec1, active=True)
        sec1.refresh_from_db()
        assert sec1.is_active
        assert list(entries_for(sec1).order_by("id").values_list("action", flat=True)) == [
            "accounts.user.deactivated",
            "accounts.user.reactivated",
        ]

    def test_cannot_deactivate_self(self, bureau):
        with pytest.raises(ValidationError):
            services.user_set_active(actor=bureau.users.committee, user=bureau.users.committee, active=False)
        bureau.users.committee.refresh_from_db()
        assert bureau.users.committee.is_active

    def test_reset_password(self, bureau):
        sec1 = bureau.users.sec1
        services.user_reset_password(actor=bureau.users.committee, user=sec1, password=NEW_PASSWORD)
        sec1.refresh_from_db()
        assert sec1.check_password(NEW_PASSWORD)
        assert sec1.password.startswith("argon2")
        assert sec1.must_change_password
        entry = entries_for(sec1).get()
        assert entry.action == "accounts.user.password_reset"
        assert entry.changes["password"] == ["******", "******"]
        assert entry.changes["must_change_password"] == [False, True]
        assert NEW_PASSWORD not in _all_changes_text()

    def test_reset_password_validated(self, bureau):
        with pytest.raises(ValidationError) as exc:
            services.user_reset_password(actor=bureau.users.committee, user=bureau.users.sec1, password="abc")
        assert "password" in exc.value.message_dict
        assert not entries_for(bureau.users.sec1).exists()

    def test_own_password_change_clears_flag(self, bureau):
        sec1 = bureau.users.sec1
        sec1.must_change_password = True
        sec1.save()
        services.user_change_own_password(actor=sec1, new_password="My-own-secret-99")
        sec1.refresh_from_db()
        assert not sec1.must_change_password
        assert entries_for(sec1).get().changes == {"password": ["******", "******"]}


@pytest.mark.django_db
class TestGrantRules:
    def test_committee_grants_inside_subtree(self, bureau):
        grant = services.grant_add(
            actor=bureau.users.committee, user=bureau.users.sec2, role=Role.DISCIPLINE, organization=bureau.b2
        )
        assert grant.granted_by == bureau.users.committee
        entry = entries_for(bureau.users.sec2).get()
        assert entry.action == "accounts.grant.added"
        assert entry.organization == bureau.b2
        assert entry.changes["grant"] == [None, "纪检 · 机关第二党支部"]

    def test_only_sysadmin_grants_sysadmin(self, bureau):
        assert not can_grant(bureau.users.committee, Role.SYSADMIN, bureau.b1)
        with pytest.raises(ValidationError) as exc:
            services.grant_add(
                actor=bureau.users.committee, user=bureau.users.sec1, role=Role.SYSADMIN, organization=bureau.b1
            )
        assert "系统管理员" in str(exc.value)
        services.grant_add(
            actor=bureau.users.admin, user=bureau.users.sec1, role=Role.SYSADMIN, organization=bureau.root
        )
        assert RoleGrant.objects.filter(user=bureau.users.sec1, role=Role.SYSADMIN).exists()

    def test_no_grants_above_own_org(self, bureau, b1_admin):
        # Own org and below: allowed, including committee_admin on the own org.
        assert can_grant(b1_admin, Role.COMMITTEE_ADMIN, bureau.b1)
        assert can_grant(b1_admin, Role.BRANCH_SECRETARY, bureau.cell)
        # Above or beside: refused.
        assert not can_grant(b1_admin, Role.COMMITTEE_ADMIN, bureau.root)
        assert not can_grant(b1_admin, Role.MEMBER, bureau.root)
        assert not can_grant(b1_admin, Role.MEMBER, bureau.b2)
        with pytest.raises(ValidationError):
            services.grant_add(
                actor=b1_admin, user=bureau.users.sec1, role=Role.COMMITTEE_ADMIN, organization=bureau.root
            )
        assert not RoleGrant.objects.filter(user=bureau.users.sec1, role=Role.COMMITTEE_ADMIN).exists()

    def test_unknown_role_denied(self, bureau):
        assert not can_grant(bureau.users.admin, "superhero", bureau.root)
        with pytest.raises(ValidationError):
            services.grant_add(
                actor=bureau.users.admin, user=bureau.users.sec1, role="superhero", organization=bureau.b1
            )

    def test_duplicate_grant_refused(self, bureau):
        with pytest.raises(ValidationError):
            services.grant_add(
                actor=bureau.users.committee, user=bureau.users.sec1, role=Role.BRANCH_SECRETARY, organization=bureau.b1
            )
        assert RoleGrant.objects.filter(user=bureau.users.sec1).count() == 1

    def test_non_admin_cannot_grant(self, bureau):
        with pytest.raises(PermissionDenied):
            services.grant_add(
                actor=bureau.users.sec1, user=bureau.users.member, role=Role.MEMBER, organization=bureau.cell
            )

    def test_account_outside_scope(self, bureau, b1_admin):
        with pytest.raises(PermissionDenied):
            services.grant_add(actor=b1_admin, user=bureau.users.sec2, role=Role.MEMBER, organization=bureau.b1)

    def test_remove_grant(self, bureau):
        grant = bureau.users.sec1.grants.get()
        services.grant_remove(actor=bureau.users.committee, grant=grant)
        assert not RoleGrant.objects.filter(pk=grant.pk).exists()
        entry = entries_for(bureau.users.sec1).get()
        assert entry.action == "accounts.grant.removed"
        assert entry.changes["grant"] == ["支部书记/党务干部 · 机关第一党支部", None]

    def test_remove_rules(self, bureau, b1_admin):
        # b1 admin cannot revoke a grant on the root, nor a sysadmin grant; nobody revokes their own admin role.
        with pytest.raises(PermissionDenied):
            services.grant_remove(actor=b1_admin, grant=bureau.users.leader.grants.get())
        with pytest.raises(PermissionDenied):
            services.grant_remove(actor=bureau.users.committee, grant=bureau.users.admin.grants.get())
        with pytest.raises(ValidationError):
            services.grant_remove(actor=bureau.users.committee, grant=bureau.users.committee.grants.get())
        assert (
            RoleGrant.objects.filter(user__in=[bureau.users.leader, bureau.users.admin, bureau.users.committee]).count()
            == 3
        )


@pytest.mark.django_db
class TestUserPolicy:
    def names(self, qs):
        return set(qs.values_list("username", flat=True))

    def test_sysadmin_sees_all(self, bureau):
        assert self.names(policy_for(User).visible(bureau.users.admin)) == set(
            User.objects.values_list("username", flat=True)
        )

    def test_committee_sees_grants_or_people_in_subtree(self, bureau, b1_admin):
        visible = self.names(policy_for(User).visible(bureau.users.committee))
        assert "nobody" not in visible  # no grant, no person
        assert {"admin", "committee", "sec1", "sec2", "member", "b1admin"} <= visible
        assert self.names(policy_for(User).visible(b1_admin)) == {"sec1", "member", "b1admin"}

    def test_person_alone_brings_account_into_scope(self, bureau, b1_admin):
        from conftest import make_user

        make_user("qianqi", person=bureau.qian)  # person in the 党小组 under b1, no grants
        assert "qianqi" in self.names(policy_for(User).visible(b1_admin, "change"))

    def test_change_scope_excludes_wider_accounts(self, bureau, b1_admin):
        change = self.names(policy_for(User).visible(bureau.users.committee, "change"))
        assert "admin" not in change  # a sysadmin
        assert "sec1" in change
        services.grant_add(
            actor=bureau.users.committee, user=bureau.users.sec1, role=Role.LEADER, organization=bureau.root
        )
        assert "sec1" not in self.names(policy_for(User).visible(b1_admin, "change"))
        assert "sec1" in self.names(policy_for(User).visible(b1_admin, "view"))

    @pytest.mark.parametrize("role", ["sec1", "discipline", "leader", "member", "nobody"])
    def test_others_see_nothing(self, bureau, role):
        assert not policy_for(User).visible(getattr(bureau.users, role)).exists()
