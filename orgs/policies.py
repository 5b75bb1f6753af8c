"""Scope policies for the organizations app (one per model)."""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Role
from core.scope import ADMIN_ROLES, Policy, Scope, register_policy
from orgs.models import Department, Handover, Organization, PartyPost, Person, Unit

# Who may read a full ID number (in their scope); a member may read their own.
ID_NUMBER_ROLES = (Role.SYSADMIN, Role.COMMITTEE_ADMIN, Role.BRANCH_SECRETARY)


@register_policy
class OrganizationPolicy(Policy):
    model = Organization
    org_path_lookup = "path"
    # Creating or deleting organizations is for administrators; secretaries edit their own.
    delete_roles = ADMIN_ROLES

    def org_of(self, obj):
        return obj

    def own_q(self, scope: Scope, action: str):
        if action == "view" and scope.person_id:
            # A subquery, not a join: a join on people would repeat each organization row.
            return Q(pk__in=Person.all_objects.filter(pk=scope.person_id).values("organization_id"))
        return None

    def can_add(self, user, organization) -> bool:
        # A new organization is added under `organization` (its parent).
        if organization is None:
            return Scope.of(user).is_sysadmin
        return Scope.of(user).covers(organization, ADMIN_ROLES) or (
            organization.org_type in ("branch", "general_branch")
            and Scope.of(user).covers(organization, self.change_roles)
        )


@register_policy
class PersonPolicy(Policy):
    model = Person
    org_path_lookup = "org_path"

    def own_q(self, scope: Scope, action: str):
        if action == "view" and scope.person_id:
            return Q(pk=scope.person_id)
        return None

    def can_view_id_number(self, user, person: Person) -> bool:
        scope = Scope.of(user)
        if scope.person_id and scope.person_id == person.pk:
            return True
        return scope.covers(person.organization, ID_NUMBER_ROLES)

    def id_number_visible_q(self, user) -> Q | None:
        """Rows whose ID numbers the user may read in full (for exports)."""
        scope = Scope.of(user)
        q = scope.org_q("org_path", ID_NUMBER_ROLES)
        if q is None:
            return None
        if scope.person_id:
            q |= Q(pk=scope.person_id)
        return q


@register_policy
class PartyPostPolicy(Policy):
    model = PartyPost

    def own_q(self, scope: Scope, action: str):
        if action == "view" and scope.person_id:
            return Q(person_id=scope.person_id)
        return None


@register_policy
class HandoverPolicy(Policy):
    model = Handover

    def own_q(self, scope: Scope, action: str):
        if action == "view" and scope.person_id:
            return Q(from_person_id=scope.person_id) | Q(to_person_id=scope.person_id)
        return None


class _SharedReferencePolicy(Policy):
    """Units and departments are reference data: every signed-in staff user reads them;
    administrators change them."""

    change_roles = ADMIN_ROLES
    delete_roles = ADMIN_ROLES

    def visible(self, user, action="view", queryset=None):
        qs = self.base_queryset() if queryset is None else queryset
        if user is None or not user.is_authenticated:
            return qs.none()
        scope = Scope.of(user)
        if action == "view" and (scope.roles or scope.person_id):
            return qs
        if scope.has_role(*self.roles_for(action)):
            return qs
        return qs.none()

    def can(self, user, action, obj) -> bool:
        return self.visible(user, action).filter(pk=obj.pk).exists()

    def can_add(self, user, organization=None) -> bool:
        return Scope.of(user).has_role(*ADMIN_ROLES)


@register_policy
class UnitPolicy(_SharedReferencePolicy):
    model = Unit


@register_policy
class DepartmentPolicy(_SharedReferencePolicy):
    model = Department
