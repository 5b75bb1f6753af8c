"""Helpers for the URL × role permission matrix (tests/test_permission_matrix.py).

Areas write their rows in `<app>/tests/matrix.py` with these helpers:

    MATRIX = [("supervision:problem_list", "get", {}, {}, only(READ, 200, 403)), ...]
    def world(bureau) -> dict: ...  # objects the rows' kwargs name, e.g. {"problem": problem.pk}

A row is (url name, method, kwargs, data, expected status per role); string values of kwargs and
data that are keys of the world are replaced by the world's value. POSTs are rolled back.
"""

from __future__ import annotations

ROLES = ["admin", "committee", "sec1", "sec2", "discipline", "leader", "member", "nobody", "anon"]
READ = {"admin", "committee", "sec1", "sec2", "discipline", "leader"}
ADMINS = {"admin", "committee"}
AUTH = set(ROLES) - {"anon"}


def expect(default: int, groups: dict[frozenset | str, int] | None = None, anon: int = 302) -> dict[str, int]:
    """Expected status per role: `default`, overridden per role or group; anonymous → login redirect."""
    result = {role: default for role in ROLES}
    for key, code in (groups or {}).items():
        for role in [key] if isinstance(key, str) else key:
            result[role] = code
    result["anon"] = anon
    return result


def only(roles: set[str], ok: int, other: int) -> dict[str, int]:
    return expect(other, {frozenset(roles): ok})
