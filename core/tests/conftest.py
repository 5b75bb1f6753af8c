"""Fixtures for core's tests: a sample workflow with a transition table, tracked items."""

from __future__ import annotations

import datetime

import pytest

from core.tracking import Workflow, register_workflow, tracked_item_create

TEST_KIND = "test.problem"

register_workflow(
    Workflow(
        kind=TEST_KIND,
        label="测试问题整改",
        statuses={"open": "待整改", "doing": "整改中", "closed": "已销号", "reopened": "重新整改"},
        initial="open",
        closed={"closed"},
        transitions={
            "open": {"doing", "closed"},
            "doing": {"closed"},
            "closed": {"reopened"},
            "reopened": {"doing", "closed"},
        },
        reason_required={"closed", "reopened"},
    )
)


@pytest.fixture
def make_item(bureau):
    def make(*, org=None, due_in_days=None, start_on=None, duration=10, mode="calendar", owner=None, title="测试事项"):
        start = start_on or datetime.date(2024, 3, 1)
        return tracked_item_create(
            actor=bureau.users.committee,
            kind=TEST_KIND,
            title=title,
            organization=org or bureau.b1,
            start_on=start,
            duration=duration,
            deadline_mode=mode,
            owner=owner,
        )

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The bureau fixture creates eight users; argon2 makes that take seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
