"""The monthly summary of the rectification ledger (ProblemMonthSummary): kept by the services,
read by the statistics.

Every service that creates a problem or changes what the summary counts (status, closing date,
deadline) takes the problem's `state()` before the change and calls `changed(before, problem)`
in its transaction: the difference of the two states' contributions is added to the rows with one
upsert (INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n, on PostgreSQL and SQLite), rows
in key order so that concurrent changes lock them in the same order. `rebuild()` recomputes every
row from the problems (after bulk writes such as generate_supervision_data, and by the data
migration and `rebuild_problem_summary`).

The statistics read it (`totals`, `subtree_rows`) when the period is whole months and the user sees
the organization's whole subtree (then every problem of the subtree is visible); otherwise they
count the problems themselves.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from core.events import listen_subtree_moved

COLUMNS = ("found", "pending", "in_progress", "applied", "closed", "on_time")
OPEN = ("pending", "in_progress", "applied")


class State(NamedTuple):
    org_path: str
    source: str
    found_on: datetime.date
    status: str
    closed_on: datetime.date | None
    due_on: datetime.date


def state(problem) -> State | None:
    """What the summary counts of a problem (None for a problem not saved yet)."""
    if problem is None or problem.pk is None:
        return None
    return State(
        problem.org_path, str(problem.source), problem.found_on, str(problem.status), problem.closed_on, problem.due_on
    )


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def year_of(day: datetime.date) -> datetime.date:
    return day.replace(month=1, day=1)


def prefixes(path: str) -> list[str]:
    """ "000001.000007." → ["000001.", "000001.000007."] (the organization and its ancestors)."""
    out, end = [], path.find(".")
    while end != -1:
        out.append(path[: end + 1])
        end = path.find(".", end + 1)
    return out


def level_of(path: str) -> int:
    return path.count(".")


MONTH, YEAR = 1, 12  # ProblemMonthSummary.span
Key = tuple[str, str, int, datetime.date]  # (path prefix, source, span, first day of the month or year)


def contributions(s: State | None) -> dict[Key, Counter]:
    """The counts one problem adds to the rows of its organization and every ancestor."""
    if s is None:
        return {}
    own: dict[tuple[str, int, datetime.date], Counter] = defaultdict(Counter)
    for span, start in ((MONTH, month_of), (YEAR, year_of)):
        found = own[(s.source, span, start(s.found_on))]
        found["found"] += 1
        if s.status in OPEN:
            found[s.status] += 1
        if s.closed_on is not None:
            closed = own[(s.source, span, start(s.closed_on))]
            closed["closed"] += 1
            if s.closed_on <= s.due_on:
                closed["on_time"] += 1
    return {(p, *key): c for p in prefixes(s.org_path) for key, c in own.items()}


def delta(before: State | None, after: State | None) -> dict[Key, Counter]:
    result: dict[Key, Counter] = defaultdict(Counter)
    for key, c in contributions(after).items():
        result[key].update(c)
    for key, c in contributions(before).items():
        result[key].subtract(c)
    return {k: c for k, c in result.items() if any(c.values())}


def apply(changes: dict[Key, Counter]) -> None:
    """Add the counts to the rows (created when missing): one statement per 1,000 rows."""
    if not changes:
        return
    from supervision.models import ProblemMonthSummary

    table = connection.ops.quote_name(ProblemMonthSummary._meta.db_table)
    cols = ("path", "level", "source", "span", "month", *COLUMNS)
    updates = ", ".join(f"{k} = {table}.{k} + excluded.{k}" for k in COLUMNS)
    ordered = sorted(changes.items())
    # In statements of 1,000 rows (a moved subtree changes thousands; SQLite takes 32,766 parameters).
    for start in range(0, len(ordered), 1000):
        rows, params = [], []
        for (path, source, span, month), c in ordered[start : start + 1000]:
            rows.append("(" + ", ".join(["%s"] * len(cols)) + ")")
            params.extend([path, level_of(path), source, span, month, *(c[k] for k in COLUMNS)])
        # Table and column names are constants; the values are parameters.
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES {', '.join(rows)} ON CONFLICT (path, source, span, month) DO UPDATE SET {updates}"  # noqa: S608, E501
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def changed(before: State | None, problem) -> None:
    """Bring the summary up to date with `problem` (saved), whose state was `before`."""
    apply(delta(before, state(problem)))


# ---------------------------------------------------------------------- rebuild


def _totals(problems, path_of=None) -> dict[Key, list[int]]:
    """The summary rows of `problems` (two grouped queries), each a list of the COLUMNS counts (a
    city has ~300,000 rows: Counters took 490 MB). `path_of` files a problem under another path
    than its own (a moved subtree's former one)."""
    totals: dict[Key, list[int]] = {}
    found = (
        problems.annotate(m=TruncMonth("found_on"))
        .values("org_path", "source", "m")
        .annotate(
            found=Count("id"),
            pending=Count("id", filter=Q(status="pending")),
            in_progress=Count("id", filter=Q(status="in_progress")),
            applied=Count("id", filter=Q(status="applied")),
        )
        .order_by()
    )
    closed = (
        problems.filter(closed_on__isnull=False)
        .annotate(m=TruncMonth("closed_on"))
        .values("org_path", "source", "m")
        .annotate(closed=Count("id"), on_time=Count("id", filter=Q(closed_on__lte=F("due_on"))))
        .order_by()
    )
    for query, keys in ((found, ("found", *OPEN)), (closed, ("closed", "on_time"))):
        for row in query.iterator(chunk_size=10_000):
            month = row["m"]
            if isinstance(month, datetime.datetime):
                month = month.date()
            counts = [(COLUMNS.index(k), row[k]) for k in keys]
            source, year = row["source"], year_of(month)
            path = row["org_path"] if path_of is None else path_of(row["org_path"])
            for p in prefixes(path):
                for key in ((p, source, MONTH, month), (p, source, YEAR, year)):
                    acc = totals.get(key)
                    if acc is None:
                        acc = totals[key] = [0] * len(COLUMNS)
                    for i, n in counts:
                        acc[i] += n
    return totals


@listen_subtree_moved
def subtree_moved(old_prefix: str, new_prefix: str) -> None:
    """An organization moved under another parent (its problems' paths already rewritten): their
    counts leave the rows of the former path and its ancestors and join the new ones (the
    ancestors both share cancel out)."""
    from supervision.models import Problem

    problems = Problem.objects.filter(org_path__startswith=new_prefix)
    now = _totals(problems)
    before = _totals(problems, path_of=lambda path: old_prefix + path[len(new_prefix) :])
    zeros = [0] * len(COLUMNS)
    changes: dict[Key, Counter] = {}
    for key in now.keys() | before.keys():
        pairs = zip(COLUMNS, now.get(key, zeros), before.get(key, zeros), strict=True)
        diff = Counter({k: a - b for k, a, b in pairs if a != b})
        if diff:
            changes[key] = diff
    apply(changes)


def rebuild(problem_model=None, summary_model=None, log=None) -> int:
    """Recompute every row from the problems (set-based: two grouped queries); returns the number
    of rows. The models may be a migration's historical ones."""
    if problem_model is None or summary_model is None:
        from supervision.models import Problem, ProblemMonthSummary

        problem_model, summary_model = problem_model or Problem, summary_model or ProblemMonthSummary
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Services adding to the rows wait until the new rows are in (and the problems are
            # read after every change already made has committed): none is lost in between.
            table = connection.ops.quote_name(summary_model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        totals = _totals(problem_model.objects.all())
        summary_model.objects.all().delete()
        # In batches: bulk_create makes a list of everything it is given.
        batch: list = []
        for (p, s, n, m), c in totals.items():
            batch.append(
                summary_model(
                    path=p, level=level_of(p), source=s, span=n, month=m, **dict(zip(COLUMNS, c, strict=True))
                )
            )
            if len(batch) == 5000:
                summary_model.objects.bulk_create(batch)
                batch.clear()
        summary_model.objects.bulk_create(batch)
    if log:
        log(f"问题整改月度汇总：{len(totals)} 行")
    return len(totals)


# ---------------------------------------------------------------------- reads


def months(period) -> tuple[datetime.date, datetime.date] | None:
    """(first month, last month) when the period is whole months, else None."""
    if period.start.day != 1 or (period.end + datetime.timedelta(days=1)).day != 1:
        return None
    return period.start, month_of(period.end)


def covers(organization, user) -> bool:
    """Whether the user (None: everything) sees every problem of the organization's subtree."""
    if user is None:
        return True
    from core.scope import Scope, policy_for
    from supervision.models import Problem

    return Scope.of(user).covers(organization, policy_for(Problem).roles_for("view"))


def usable(period, organization, user) -> bool:
    """The summary answers for `organization` over `period` when the period is whole months and the
    user sees every problem of the organization's subtree."""
    return months(period) is not None and covers(organization, user)


def months_q(first: datetime.date | None, last: datetime.date | None) -> Q:
    """The rows counting months first..last (None: every month) once each: the year rows of the
    whole years in it and the month rows of the months before and after them."""
    if first is None or last is None:
        return Q(span=YEAR)
    years = [
        y
        for y in range(first.year, last.year + 1)
        if first <= datetime.date(y, 1, 1) and datetime.date(y, 12, 1) <= last
    ]
    if not years:
        return Q(span=MONTH, month__gte=first, month__lte=last)
    q = Q(span=YEAR, month__gte=datetime.date(years[0], 1, 1), month__lte=datetime.date(years[-1], 1, 1))
    if first.year < years[0]:
        q |= Q(span=MONTH, month__gte=first, month__lte=datetime.date(years[0] - 1, 12, 1))
    if last.year > years[-1]:
        q |= Q(span=MONTH, month__gte=datetime.date(years[-1] + 1, 1, 1), month__lte=last)
    return q


def _rows(period, organization, levels: Iterable[int], group: tuple[str, ...]):
    from supervision.models import ProblemMonthSummary

    first, last = months(period)
    return (
        ProblemMonthSummary.objects.filter(
            months_q(first, last), level__in=list(levels), path__startswith=organization.path
        )
        .values(*group)
        .annotate(**{k: Sum(k) for k in COLUMNS})
        .order_by()
    )


def totals(period, organization) -> dict[str, dict[str, int]]:
    """{source: {column: n}} for the organization's whole subtree (one query)."""
    level = level_of(organization.path)
    return {r["source"]: {k: r[k] or 0 for k in COLUMNS} for r in _rows(period, organization, [level], ("source",))}


def subtree_rows(period, organization) -> dict[tuple[str, str], dict[str, int]]:
    """{(path, source): {column: n}}: the organization's own problems under its path and each
    direct child's subtree under the child's path (one query)."""
    level = level_of(organization.path)
    own: dict[str, Counter] = defaultdict(Counter)
    result: dict[tuple[str, str], dict[str, int]] = {}
    children: dict[str, Counter] = defaultdict(Counter)
    for r in _rows(period, organization, [level, level + 1], ("path", "level", "source")):
        values = {k: r[k] or 0 for k in COLUMNS}
        if r["level"] == level:
            own[r["source"]].update(values)
        else:
            result[(r["path"], r["source"])] = values
            children[r["source"]].update(values)
    for source, c in own.items():
        c.subtract(children.get(source, Counter()))
        if any(c.values()):
            result[(organization.path, source)] = {k: c[k] for k in COLUMNS}
    return result
