"""Counting rows under many organizations at once, with one query and without long OR chains.

`Organization.path` is a materialized path ("000001.000004.000010."), so a row belongs to every
organization whose path is a prefix of the row's. `under_q` filters a path column to a set of
subtrees (few subtrees: an OR of prefixes; many: their common ancestor, the rest is done in
Python); `ancestor_paths` lists a row's own and ancestor paths for dictionary lookups.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

MAX_PREFIXES = 60  # a page of 50 branches still filters by index


def minimal(paths: Iterable[str]) -> list[str]:
    """Drop the paths that lie under another path of the set."""
    result: list[str] = []
    for p in sorted(set(paths)):
        if not result or not p.startswith(result[-1]):
            result.append(p)
    return result


def common_ancestor(paths: list[str]) -> str:
    if not paths:
        return ""
    first, last = min(paths), max(paths)
    i = 0
    while i < min(len(first), len(last)) and first[i] == last[i]:
        i += 1
    prefix = first[:i]
    return prefix[: prefix.rfind(".") + 1] if "." in prefix else ""


def under_q(field: str, paths: Iterable[str]) -> Q:
    tops = minimal(paths)
    if len(tops) > MAX_PREFIXES:
        return Q(**{f"{field}__startswith": common_ancestor(tops)})
    q = Q()
    for p in tops:
        q |= Q(**{f"{field}__startswith": p})
    return q if tops else Q(pk__in=[])


def ancestor_paths(path: str) -> list[str]:
    """ "1.4.10." -> ["1.", "1.4.", "1.4.10."]"""
    result, start = [], 0
    while True:
        i = path.find(".", start)
        if i < 0:
            return result
        result.append(path[: i + 1])
        start = i + 1
