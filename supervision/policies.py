"""Scope policies of the supervision area (one per model).

- Inspections are recorded by the organization that holds them (the committee) and are seen by the
  read roles of that subtree, and also by the read roles of an organization that was inspected
  (a branch sees the inspections of its branch).
- Secretaries' reports belong to the branch whose secretary reported.
- Problems belong to the responsible organization: its read roles see them, its write roles
  (the branch secretary, the committee above) update them, report progress and apply for closure.
  Closing (销号), sending back (退回) and approving extensions are for the committee: a committee
  administrator or system administrator whose grant covers the problem's organization.
- Progress reports (and their evidence files) and escalation notices follow their problem.
"""

from __future__ import annotations

from django.db.models import Q

from core.scope import ADMIN_ROLES, READ_ROLES, Policy, Scope, register_policy
from supervision.models import (
    EscalationNotice,
    Inspection,
    Problem,
    ProblemStatus,
    ProgressReport,
    SecretaryReport,
)


@register_policy
class InspectionPolicy(Policy):
    model = Inspection
    org_path_lookup = "org_path"

    def own_q(self, scope: Scope, action: str):
        if action != "view":
            return None
        q = scope.org_q("organization__path", READ_ROLES)
        if q is None:
            return None
        through = Inspection.targets.through.objects.filter(q).values("inspection_id")
        return Q(pk__in=through)


@register_policy
class SecretaryReportPolicy(Policy):
    model = SecretaryReport
    org_path_lookup = "org_path"


@register_policy
class ProblemPolicy(Policy):
    model = Problem
    org_path_lookup = "org_path"

    def can(self, user, action: str, obj) -> bool:
        # A closed (销号) problem is settled: nobody changes it or its evidence any more.
        if action in ("change", "delete") and obj.status == ProblemStatus.CLOSED:
            return False
        return super().can(user, action, obj)

    def can_close(self, user, problem: Problem) -> bool:
        """销号、退回、批准延期: the committee (an administrator whose grant covers the problem)."""
        if user is None or not user.is_authenticated:
            return False
        return Scope.of(user).covers(problem.organization, ADMIN_ROLES)


@register_policy
class ProgressReportPolicy(Policy):
    model = ProgressReport
    org_path_lookup = "problem__org_path"

    def org_of(self, obj):
        return obj.problem.organization

    def can(self, user, action: str, obj) -> bool:
        if action in ("change", "delete") and obj.problem.status == ProblemStatus.CLOSED:
            return False
        return super().can(user, action, obj)


@register_policy
class EscalationNoticePolicy(Policy):
    model = EscalationNotice
    org_path_lookup = "org_path"
