"""Scope policies (one per model).

Star rating: the committee (机关党委管理员) runs the rounds and scores; a branch secretary sees and
self-assesses their own branch (while the round is in 自评); leaders and discipline read.
Periodic assessment is a personnel matter, not a branch one: administrators, leaders and
discipline read within their scope; a staff member sees their own records; a department head
(the person named on the round's department, see RoundDepartment.head) sees and scores the
records of that department. A branch secretary role alone gives no access to assessment records.
"""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Role
from assessment.models import (
    AssessmentRecord,
    AssessmentRound,
    BranchRating,
    RoundDepartment,
    RoundStatus,
    StandardizationCheck,
    StarRatingRound,
)
from core.scope import ADMIN_ROLES, READ_ROLES, Policy, Scope, register_policy

ASSESSMENT_READ_ROLES = (Role.SYSADMIN, Role.COMMITTEE_ADMIN, Role.LEADER, Role.DISCIPLINE)


@register_policy
class StarRatingRoundPolicy(Policy):
    model = StarRatingRound
    org_path_lookup = "org_path"
    change_roles = ADMIN_ROLES
    delete_roles = ()

    def own_q(self, scope: Scope, action: str):
        # A branch sees the rounds its own rating belongs to.
        if action != "view":
            return None
        q = scope.org_q("org_path", READ_ROLES)
        if q is None:
            return None
        return Q(pk__in=BranchRating.objects.filter(q).values("round_id"))


@register_policy
class BranchRatingPolicy(Policy):
    model = BranchRating
    org_path_lookup = "org_path"
    delete_roles = ()

    def can(self, user, action: str, obj) -> bool:
        """Changing a rating (its evidence, its self-assessment) is for the branch while the round
        is in 自评, and for the committee until stars are final."""
        if not super().can(user, action, obj):
            return False
        if action not in ("change", "add"):
            return True
        if obj.round.status == RoundStatus.FINAL:
            return False
        if Scope.of(user).covers(obj.round.organization, ADMIN_ROLES):
            return True
        return obj.round.status == RoundStatus.SELF

    def can_score(self, user, rating: BranchRating) -> bool:
        return Scope.of(user).covers(rating.round.organization, ADMIN_ROLES)


@register_policy
class StandardizationCheckPolicy(Policy):
    model = StandardizationCheck
    org_path_lookup = "org_path"
    delete_roles = ()


def _head_departments(scope: Scope):
    return RoundDepartment.objects.filter(head_id=scope.person_id).values("pk")


@register_policy
class AssessmentRoundPolicy(Policy):
    model = AssessmentRound
    org_path_lookup = "org_path"
    view_roles = ASSESSMENT_READ_ROLES
    change_roles = ADMIN_ROLES
    delete_roles = ()

    def own_q(self, scope: Scope, action: str):
        if action != "view" or not scope.person_id:
            return None
        mine = AssessmentRecord.objects.filter(person_id=scope.person_id).values("round_id")
        headed = RoundDepartment.objects.filter(head_id=scope.person_id).values("round_id")
        return Q(pk__in=mine) | Q(pk__in=headed)


@register_policy
class AssessmentRecordPolicy(Policy):
    model = AssessmentRecord
    org_path_lookup = "org_path"
    view_roles = ASSESSMENT_READ_ROLES
    change_roles = ADMIN_ROLES
    delete_roles = ()

    def own_q(self, scope: Scope, action: str):
        if not scope.person_id or action not in ("view", "change"):
            return None
        return Q(person_id=scope.person_id) | Q(round_department__in=_head_departments(scope))

    def is_admin(self, user, record: AssessmentRecord) -> bool:
        return Scope.of(user).covers(record.round.organization, ADMIN_ROLES)

    def is_own(self, user, record: AssessmentRecord) -> bool:
        person_id = Scope.of(user).person_id
        return bool(person_id) and record.person_id == person_id

    def is_head(self, user, record: AssessmentRecord) -> bool:
        person_id = Scope.of(user).person_id
        return (
            bool(person_id)
            and record.round_department_id is not None
            and record.round_department.head_id == person_id
            and record.person_id != person_id
        )
