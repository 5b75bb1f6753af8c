"""Fixtures for the dashboard and report tests (on top of the root conftest's `bureau`)."""

from __future__ import annotations

import re

import pytest

from meetings import services as meeting_services
from meetings.models import TopicSubtype

LIST_TOTAL = re.compile(r'id="list-total"[^>]*>\s*([\d,]+)\s*<')


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hold(bureau):
    """hold(org, kind, day, **fields) -> Meeting, through the service, nobody on the list."""

    def make(org, kind, day, **fields):
        data = {"organization": org, "kind": kind, "held_on": day, "topic": fields.pop("topic", "学习会议")}
        if kind == "topic_meeting" and "subtype" not in fields:
            fields["subtype"] = TopicSubtype.objects.get(code=fields.pop("code", "party_building"))
        data.update(fields)
        return meeting_services.meeting_create(actor=bureau.users.committee, data=data, attendance=[])

    return make


def total_of(client, url: str) -> int:
    """The "共 N 条" of a list page (data-total), following the link as the user would."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    match = LIST_TOTAL.search(response.content.decode())
    assert match, f'{url} has no list total (id="list-total")'
    return int(match[1].replace(",", ""))
