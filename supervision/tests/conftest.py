"""Fixtures for the supervision tests (on top of the root conftest's `bureau`)."""

from __future__ import annotations

import datetime

import pytest

from supervision import services
from supervision.models import ProblemSource


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_problem(bureau):
    """make_problem(org=b1, found_on=..., deadline=..., **data) -> Problem via the service (actor: committee)."""

    def make(org=None, *, found_on=None, deadline=None, duration=None, mode="calendar", actor=None, **data):
        found_on = found_on or datetime.date(2024, 3, 1)
        fields = {
            "source": ProblemSource.SELF_INSPECTION,
            "organization": org or bureau.b1,
            "description": data.pop("description", "三会一课记录不规范"),
            "found_on": found_on,
            **data,
        }
        return services.problem_create(
            actor=actor if actor is not None else bureau.users.committee,
            data=fields,
            deadline=deadline,
            duration=duration if deadline is None else None,
            deadline_mode=mode,
        )

    return make


@pytest.fixture
def inspection(bureau):
    return services.inspection_create(
        actor=bureau.users.committee,
        data={
            "name": "2022年第二轮党建督导检查",
            "organization": bureau.root,
            "inspector_body": "市直机关工委第二督导组",
            "methods": ["documents", "forum"],
            "start_on": datetime.date(2022, 4, 18),
            "end_on": datetime.date(2022, 4, 29),
            "feedback": "一、“三会一课”不规范；二、党员发展档案不齐全。",
            "feedback_on": datetime.date(2022, 5, 27),
        },
        targets=[bureau.b1, bureau.b2],
        inspectors=[bureau.li],
    )


def walk_to_closed(problem, bureau, *, branch_user=None, closed_on=None):
    """pending → in progress (progress report) → applied → closed, as the branch and the committee."""
    branch_user = branch_user or bureau.users.sec1
    services.problem_report_progress(actor=branch_user, problem=problem, content="已整改", reported_on=problem.found_on)
    problem.refresh_from_db()
    problem = services.problem_apply_closure(actor=branch_user, problem=problem, note="整改完成")
    return services.problem_close(
        actor=bureau.users.committee, problem=problem, verification="验收合格", closed_on=closed_on or problem.found_on
    )
