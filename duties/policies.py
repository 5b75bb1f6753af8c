"""Scope policies for responsibilities and the duty catalogue (one per model).

Who may do what (decided for this area):
- 主体责任清单 items, 一岗双责, 联系支部 assignments, 廉政风险点: the committee (administrators)
  edits; secretaries, leaders and discipline read within their subtree.
- 落实佐证 (evidence): the committee and the secretary of the organization that owns the item
  record it (a 支部书记 documents their own branch's items).
- 联系支部 activities: the committee and the branch's secretary record them; the leader reads
  their own liaisons and activities.
- 履职清单 (the duty catalogue): the bureau's published catalogue — every holder of a read role
  reads all departments; a member (党员 role, or anyone with a person record) reads only their own
  department's; the committee edits, within the departments whose party organization it covers.
"""

from __future__ import annotations

from django.db.models import Q

from core.scope import ADMIN_ROLES, READ_ROLES, Policy, Scope, register_policy
from duties.models import (
    BoundaryDivision,
    ControlMeasure,
    DualResponsibility,
    IntegrityRisk,
    LeaderLiaison,
    LiaisonActivity,
    PostDuty,
    PostRiskPoint,
    ResponsibilityEvidence,
    ResponsibilityItem,
    WorkflowChart,
    WorkflowStep,
    WorkTask,
)
from orgs.models import Person


@register_policy
class ResponsibilityItemPolicy(Policy):
    model = ResponsibilityItem
    org_path_lookup = "org_path"
    change_roles = ADMIN_ROLES
    delete_roles = ADMIN_ROLES


@register_policy
class ResponsibilityEvidencePolicy(Policy):
    model = ResponsibilityEvidence
    org_path_lookup = "org_path"

    def org_of(self, obj):
        return obj.item.organization


class OwnViewPolicy(Policy):
    """A leader sees their own records: `own_lookup` leads from the model to the person's id."""

    own_lookup = ""

    def own_q(self, scope: Scope, action: str):
        if action == "view" and scope.person_id:
            return Q(**{self.own_lookup: scope.person_id})
        return None


@register_policy
class DualResponsibilityPolicy(OwnViewPolicy):
    model = DualResponsibility
    org_path_lookup = "org_path"
    change_roles = ADMIN_ROLES
    delete_roles = ADMIN_ROLES
    own_lookup = "person_id"


@register_policy
class LeaderLiaisonPolicy(OwnViewPolicy):
    model = LeaderLiaison
    org_path_lookup = "org_path"
    change_roles = ADMIN_ROLES
    delete_roles = ADMIN_ROLES
    own_lookup = "leader_id"

    def org_of(self, obj):
        return obj.branch


@register_policy
class LiaisonActivityPolicy(OwnViewPolicy):
    model = LiaisonActivity
    org_path_lookup = "org_path"
    own_lookup = "liaison__leader_id"

    def org_of(self, obj):
        return obj.liaison.branch


@register_policy
class IntegrityRiskPolicy(Policy):
    model = IntegrityRisk
    org_path_lookup = "org_path"
    change_roles = ADMIN_ROLES
    delete_roles = ADMIN_ROLES


# ---------------------------------------------------------------------- the duty catalogue


class CataloguePolicy(Policy):
    """Scope through the department: `department_lookup` leads from the model to orgs.Department."""

    department_lookup = "department"
    change_roles = ADMIN_ROLES
    delete_roles = ADMIN_ROLES

    @property
    def org_path_lookup(self) -> str:  # used for change/delete and by the recycle bin
        return f"{self.department_lookup}__organization__path"

    def department_of(self, obj):
        target = obj
        for part in self.department_lookup.split("__"):
            target = getattr(target, part)
        return target

    def org_of(self, obj):
        return self.department_of(obj).organization

    @staticmethod
    def my_departments(scope: Scope):
        """The user's own department id as a subquery, or None without a linked person."""
        if not scope.person_id:
            return None
        return Person.all_objects.filter(pk=scope.person_id, department__isnull=False).values("department_id")

    def own_department_q(self, scope: Scope) -> Q | None:
        mine = self.my_departments(scope)
        return None if mine is None else Q(**{f"{self.department_lookup}_id__in": mine})

    def visible(self, user, action="view", queryset=None):
        qs = self.base_queryset() if queryset is None else queryset
        if user is None or not user.is_authenticated:
            return qs.none()
        scope = Scope.of(user)
        if action == "view":
            if scope.has_role(*READ_ROLES):
                return qs
            own = self.own_department_q(scope)
            return qs.filter(own) if own is not None else qs.none()
        return super().visible(user, action, qs)

    def can(self, user, action, obj) -> bool:
        if user is None or not user.is_authenticated:
            return False
        scope = Scope.of(user)
        if action == "view":
            return self.visible(user, "view").filter(pk=obj.pk).exists()
        org = self.org_of(obj)
        if org is None:  # a department not linked to a party organization: administrators
            return scope.has_role(*self.roles_for(action))
        return scope.covers(org, self.roles_for(action))

    def can_add(self, user, organization=None) -> bool:
        if user is None or not user.is_authenticated:
            return False
        if organization is None:
            return Scope.of(user).has_role(*self.change_roles)
        return Scope.of(user).covers(organization, self.change_roles)


@register_policy
class WorkTaskPolicy(CataloguePolicy):
    model = WorkTask


@register_policy
class BoundaryDivisionPolicy(CataloguePolicy):
    model = BoundaryDivision
    department_lookup = "lead_department"

    def own_department_q(self, scope: Scope):
        mine = self.my_departments(scope)
        return None if mine is None else Q(lead_department_id__in=mine) | Q(assisting_departments__in=mine)

    def visible(self, user, action="view", queryset=None):
        qs = super().visible(user, action, queryset)
        # The assisting-department join may repeat a row.
        return qs.distinct() if action == "view" and not Scope.of(user).has_role(*READ_ROLES) else qs


@register_policy
class WorkflowChartPolicy(CataloguePolicy):
    model = WorkflowChart


@register_policy
class WorkflowStepPolicy(CataloguePolicy):
    model = WorkflowStep
    department_lookup = "chart__department"


@register_policy
class PostDutyPolicy(CataloguePolicy):
    model = PostDuty


@register_policy
class PostRiskPointPolicy(CataloguePolicy):
    model = PostRiskPoint


@register_policy
class ControlMeasurePolicy(CataloguePolicy):
    model = ControlMeasure
    department_lookup = "risk_point__department"
