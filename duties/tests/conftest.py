"""Fixtures of the responsibility tests (on top of the root conftest's `bureau`)."""

from __future__ import annotations

import pytest

from duties.tests.factories import make_world


@pytest.fixture
def dw(bureau):
    """Every list of the area with a record or two (duties.tests.factories)."""
    return make_world(bureau)
