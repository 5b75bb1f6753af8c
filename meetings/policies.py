"""Scope policies for organizational life (one per model)."""

from __future__ import annotations

from django.db.models import Q

from core.scope import Policy, Scope, register_policy
from meetings.models import Attendance, LifePlan, Meeting


@register_policy
class MeetingPolicy(Policy):
    model = Meeting
    org_path_lookup = "org_path"

    def own_q(self, scope: Scope, action: str):
        # A member sees the meetings they were expected at or lectured (their own record).
        if action == "view" and scope.person_id:
            attended = Attendance.objects.filter(person_id=scope.person_id).values("meeting_id")
            return Q(pk__in=attended) | Q(lecturer_id=scope.person_id)
        return None


@register_policy
class LifePlanPolicy(Policy):
    model = LifePlan
