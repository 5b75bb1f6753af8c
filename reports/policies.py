"""Scope policy for saved work reports: read roles see the reports of their subtree (a leader
or 纪检 reads them), write roles (committee administrators, branch secretaries) draft and edit."""

from __future__ import annotations

from core.scope import Policy, register_policy
from reports.models import ReportDraft


@register_policy
class ReportDraftPolicy(Policy):
    model = ReportDraft
    org_path_lookup = "org_path"
