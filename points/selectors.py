"""Reads for points: scores, rankings, entry lists (scoped through the policies).

A score for a period is `points.base` + the member's effective entries dated in the period,
never below `points.floor`, within one calendar year (points start again every year). The sums
come from PointScore (one row per member and year, by quarter), so a period is counted by whole
quarters: a year, a half-year or a quarter exactly; a month or another range by the quarters of
its last year that it touches (the pages say so).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from core.periods import Period, PeriodError
from core.rules import RuleSet, all_default_rules
from core.scope import READ_ROLES, Scope, policy_for
from core.viewutils import FilterParams
from orgs.models import Department, Organization, Person
from points.models import EntryKind, EntryStatus, PointEntry, PointScore, PointScoreYear
from points.sources import get_source

QUARTER_WORDS = "一二三四"


# ---------------------------------------------------------------------- periods and rules


@dataclass(frozen=True)
class Window:
    """The quarters of one year a period is counted over."""

    year: int
    quarters: tuple[int, ...]
    requested: Period

    @classmethod
    def of(cls, period: Period) -> Window:
        year = period.end.year
        start = max(period.start, datetime.date(year, 1, 1))
        return cls(year, tuple(range((start.month - 1) // 3 + 1, (period.end.month - 1) // 3 + 2)), period)

    @classmethod
    def year_of(cls, year: int) -> Window:
        return cls.of(Period.parse(str(year)))

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.quarters[0] - 2, 1)

    @property
    def end(self) -> datetime.date:
        return Period.quarter(self.year, self.quarters[-1]).end

    @property
    def period(self) -> Period:
        q = self.quarters
        if len(q) == 4:
            return Period.parse(str(self.year))
        if q in ((1, 2), (3, 4)):
            return Period.parse(f"{self.year}H{1 if q[0] == 1 else 2}")
        if len(q) == 1:
            return Period.quarter(self.year, q[0])
        return Period.parse(f"{self.start.isoformat()}..{self.end.isoformat()}")

    @property
    def code(self) -> str:
        return self.period.code

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def exact(self) -> bool:
        return (self.requested.start, self.requested.end) == (self.start, self.end)

    @property
    def is_full_year(self) -> bool:
        return len(self.quarters) == 4

    @property
    def note(self) -> str:
        """Why the counted period differs from the one asked for (empty when it does not)."""
        if self.exact:
            return ""
        return f"积分按季度汇总、每年清零：“{self.requested.label}”按{self.label}统计。"


def parse_window(text: str, today: datetime.date | None = None) -> tuple[Window, str]:
    """A Window from a period parameter (default: this year); an error message if unreadable."""
    today = today or timezone.localdate()
    default = Window.year_of(today.year)
    text = (text or "").strip()
    if not text:
        return default, ""
    try:
        return Window.of(Period.parse(text)), ""
    except PeriodError as exc:
        return default, f"{exc}，已显示{default.label}"


@dataclass(frozen=True)
class ScoreRules:
    """The scoring rules of a year, read with one query."""

    base: int
    floor: int
    statuses: tuple[str, ...]
    cuts: tuple[int, ...] = (60, 70, 80, 90)

    @classmethod
    def for_year(cls, year: int, rules: RuleSet | None = None) -> ScoreRules:
        rules = rules or RuleSet("points.")
        return cls(
            base=int(rules.get("points.base", year)),
            floor=int(rules.get("points.floor", year, default=0)),
            statuses=tuple(rules.get("points.participating_statuses", year, default=["full", "probationary"])),
            cuts=tuple(sorted(int(x) for x in rules.get("points.bands", year, default=[60, 70, 80, 90]))),
        )

    @property
    def bands(self) -> list[tuple[str, int | None, int | None, str]]:
        """(code, low, high, label) of the distribution bands: <60, 60–69, …, ≥90 (rule points.bands)."""
        result = []
        low = None
        for cut in self.cuts:
            code = f"{'' if low is None else low}-{cut - 1}"
            label = f"<{cut}" if low is None else f"{low}–{cut - 1}"
            result.append((code, low, cut - 1, label))
            low = cut
        result.append((f"{low}-", low, None, f"≥{low}"))
        return result

    def score(self, total: int) -> int:
        return max(self.floor, self.base + total)


_RULE_NAMES: dict[str, tuple[str, str]] = {}


def rule_name(code: str) -> str:
    """The Chinese name of a rule (from the defaults; no query)."""
    if not _RULE_NAMES:
        _RULE_NAMES.update({row[0]: (row[1], row[4]) for row in all_default_rules()})
    return _RULE_NAMES.get(code, (code, ""))[0]


# ---------------------------------------------------------------------- scores


def _quarters_expr(quarters: tuple[int, ...], prefix: str):
    if len(quarters) == 4:
        return Coalesce(F(f"{prefix}total"), 0)
    expr = None
    for q in quarters:
        term = Coalesce(F(f"{prefix}q{q}"), 0)
        expr = term if expr is None else expr + term
    return ExpressionWrapper(expr, output_field=IntegerField())


def with_scores(people: QuerySet[Person], window: Window, rules: ScoreRules | None = None) -> QuerySet[Person]:
    """Participating members of `people` annotated with `points_sum` (entries in the window) and
    `score` (base + sum, floored). One LEFT JOIN on the yearly sums."""
    rules = rules or ScoreRules.for_year(window.year)
    return (
        people.filter(party_status__in=rules.statuses)
        .annotate(ps=FilteredRelation("point_scores", condition=Q(point_scores__year=window.year)))
        .annotate(points_sum=_quarters_expr(window.quarters, "ps__"))
        .annotate(
            score=Greatest(
                ExpressionWrapper(Value(rules.base) + F("points_sum"), output_field=IntegerField()),
                Value(rules.floor),
                output_field=IntegerField(),
            )
        )
    )


def person_score(person: Person, window: Window, rules: ScoreRules | None = None) -> dict:
    """A member's score card for a window: base, additions, deductions, score, pending. Two
    queries (the rules, one aggregate over the member's entries of the window)."""
    rules = rules or ScoreRules.for_year(window.year)
    sums = (
        PointEntry.objects.filter(person=person, year=window.year, date__gte=window.start, date__lte=window.end)
        .values("status")
        .annotate(
            plus=Coalesce(Sum("points", filter=Q(points__gt=0)), 0),
            minus=Coalesce(Sum("points", filter=Q(points__lt=0)), 0),
            n=Count("id"),
        )
        .order_by()
    )
    by_status = {r["status"]: r for r in sums}
    effective = by_status.get(EntryStatus.EFFECTIVE, {"plus": 0, "minus": 0, "n": 0})
    total = effective["plus"] + effective["minus"]
    return {
        "base": rules.base,
        "floor": rules.floor,
        "total": total,
        "score": rules.score(total),
        "floored": rules.base + total < rules.floor,
        "plus": effective["plus"],
        "minus": effective["minus"],
        "entries": effective["n"],
        "pending": by_status.get(EntryStatus.PENDING, {}).get("n", 0),
        "participates": person.party_status in rules.statuses,
    }


def person_years(person: Person, today: datetime.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    years = set(PointScore.objects.filter(person=person, entries__gt=0).values_list("year", flat=True))
    years.add(today.year)
    return sorted(years, reverse=True)


def person_entries(person: Person, window: Window) -> QuerySet[PointEntry]:
    return PointEntry.objects.filter(
        person=person, year=window.year, date__gte=window.start, date__lte=window.end
    ).order_by("-date", "-id")


def decorate_entries(entries) -> list[PointEntry]:
    """Attach `record_url`, `source_label` and `rule_label` to entries (no queries)."""
    rows = list(entries)
    for e in rows:
        source = get_source(e.source)
        e.source_label = source.label if source else "支部录入"
        e.record_label = source.record_label if source else ""
        e.record_url = source.record_url(e.object_id) if source and source.record_url and e.object_id else ""
        e.rule_label = rule_name(e.rule_code) if e.rule_code else ""
    return rows


# ---------------------------------------------------------------------- rankings


def people_in_scope(user) -> QuerySet[Person]:
    """People of the user's read scope (rankings are for read roles)."""
    q = Scope.of(user).org_q("org_path", READ_ROLES) if user is not None else None
    qs = Person.objects.all()
    return qs if q is None else qs.filter(q)


def bands(year: int) -> list[tuple[str, int | None, int | None, str]]:
    return ScoreRules.for_year(year).bands


def parse_band(text: str) -> tuple[int | None, int | None] | None:
    text = (text or "").strip()
    if "-" not in text:
        return None
    lo, hi = text.split("-", 1)
    try:
        low = int(lo) if lo else None
        high = int(hi) if hi else None
    except ValueError:
        return None
    if low is None and high is None:
        return None
    return low, high


def band_label(low: int | None, high: int | None) -> str:
    if low is None:
        return f"{high}分及以下"
    if high is None:
        return f"{low}分及以上"
    return f"{low}–{high}分"


@dataclass
class RankingFilters(FilterParams):
    window: Window
    rules: ScoreRules
    org: Organization | None = None
    department: Department | None = None
    band: tuple[int | None, int | None] | None = None
    band_text: str = ""
    q: str = ""
    errors: list[str] = field(default_factory=list)

    def params(self) -> dict[str, str]:
        return {
            "period": self.window.requested.code,
            "org": str(self.org.pk) if self.org else "",
            "department": str(self.department.pk) if self.department else "",
            "band": self.band_text if self.band else "",
            "q": self.q,
        }


def ranking_filters(user, params) -> RankingFilters:
    window, error = parse_window(params.get("period", ""))
    f = RankingFilters(window=window, rules=ScoreRules.for_year(window.year), q=(params.get("q") or "").strip()[:50])
    if error:
        f.errors.append(error)
    if params.get("org"):
        f.org = policy_for(Organization).get_or_404(user, pk=params.get("org"))
    dept = (params.get("department") or "").strip()
    if dept:
        f.department = Department.objects.filter(pk=dept).first() if dept.isdigit() else None
        if f.department is None:
            f.errors.append(f"未知的科室“{dept}”，已忽略")
    band = (params.get("band") or "").strip()
    if band:
        f.band = parse_band(band)
        if f.band is None:
            f.errors.append(f"积分段“{band}”无效，应写作 70-79、-59 或 90-，已忽略")
        else:
            f.band_text = band
    return f


def _window_sum(quarters: tuple[int, ...]):
    """The window's sum on a PointScore row: the plain total for a year (so that the rank index
    serves its order and bands), else the quarters added."""
    if len(quarters) == 4:
        return F("total")
    expr = None
    for q in quarters:
        expr = F(f"q{q}") if expr is None else expr + F(f"q{q}")
    return ExpressionWrapper(expr, output_field=IntegerField())


def scored_rows(user, window: Window, rules: ScoreRules | None = None, under: Organization | None = None):
    """The members a ranking ranks, one row each, from PointScore alone (no join to the people):
    participating party statuses, not deleted, within the user's read scope (and `under`'s
    subtree), annotated `member` (the person's id), `points_sum` (entries in the window) and
    `score` (base + sum, floored). Every person has a row in a scored year (PointScoreYear); in a
    year nothing has been scored in yet, everyone's sum is 0 and the rows are read from the
    people, which carry the same column names."""
    rules = rules or ScoreRules.for_year(window.year)
    if PointScoreYear.objects.filter(year=window.year).exists():
        qs = PointScore.objects.filter(year=window.year, deleted_at__isnull=True).annotate(
            member=F("person_id"), points_sum=_window_sum(window.quarters)
        )
    else:
        qs = Person.objects.annotate(member=F("pk"), points_sum=Value(0, output_field=IntegerField()))
    qs = qs.filter(party_status__in=rules.statuses)
    q = Scope.of(user).org_q("org_path", READ_ROLES) if user is not None else None
    if q is not None:
        qs = qs.filter(q)
    if under is not None:
        qs = qs.filter(org_path__startswith=under.path)
    return qs.annotate(
        score=Greatest(
            ExpressionWrapper(Value(rules.base) + F("points_sum"), output_field=IntegerField()),
            Value(rules.floor),
            output_field=IntegerField(),
        )
    )


def ranking_scope(user, f: RankingFilters):
    """scored_rows narrowed by organization (a branch's ranking) and department (a department's)."""
    rows = scored_rows(user, f.window, f.rules, under=f.org)
    if f.department is not None:
        rows = rows.filter(department=f.department)
    return rows


def name_q(text: str) -> Q:
    """The ranking's name filter: the name, its full pinyin or its pinyin initials begin with the
    text ("张" and "zs" find 张三), served by the name indexes of PointScore."""
    text = text.strip()
    cond = Q(name__startswith=text)
    if text.isascii() and text.isalpha():
        cond |= Q(name_initials__startswith=text.lower()) | Q(name_pinyin__startswith=text.lower())
    return cond


def band_q(f: RankingFilters) -> Q:
    """A score band as a range of the window's sum (score = max(floor, base + sum) grows with the
    sum), so that the rank index serves it."""
    low, high = f.band
    base, floor = f.rules.base, f.rules.floor
    q = Q()
    if low is not None and low > floor:
        q &= Q(points_sum__gte=low - base)
    if high is not None:
        if high < floor:
            return Q(points_sum__gt=0) & Q(points_sum__lt=0)  # no score is below the floor
        q &= Q(points_sum__lte=high - base)
    return q


def _view_q(f: RankingFilters) -> Q:
    """Band and name only choose which ranked members are shown; their ranks stay the scope's."""
    q = Q()
    if f.q:
        q &= name_q(f.q)
    if f.band is not None:
        q &= band_q(f)
    return q


# Best first; among equal scores (only members held at the floor can tie with different sums)
# the higher sum, then by id. The rank index has this order.
RANK_ORDER = ("-points_sum", "member")


def _page_number(value, count: int | None, per_page: int) -> int:
    try:
        number = max(1, int(value or 1))
    except (TypeError, ValueError):
        number = 1
    if count is not None:
        number = min(number, max(1, -(-count // per_page)))
    return number


def ranking_page(user, f: RankingFilters, page_number=1, per_page: int = 20):
    """One page of the ranking: Person objects with `score`, `points_sum` and `rank`.

    Three queries whatever the size (four with a name filter): the page's rows in rank order, cut
    in the database (an index scan of PointScore in that order for a year); one pass over the
    scope counting the members per sum (the shown total, and each page score's rank: a tie
    shares the rank, the next counts everyone above); the page's people with their organization
    and department."""
    from django.core.paginator import Page, Paginator

    scope = ranking_scope(user, f)
    view = _view_q(f)
    shown = scope.filter(view).values("member", "score", "points_sum").order_by(*RANK_ORDER)
    number = _page_number(page_number, None, per_page)
    rows = list(shown[(number - 1) * per_page : number * per_page])
    if not rows and number > 1:  # past the last page: show the last one
        number = _page_number(page_number, scope.filter(view).count(), per_page)
        rows = list(shown[(number - 1) * per_page : number * per_page])
    # One pass over the scope, from the rank index alone: how many members have each sum (a few
    # hundred distinct values) and, for a band, how many of them are shown. A score's rank is 1 +
    # the members with a higher score, i.e. with a sum above score - base (the score grows with
    # the sum and is never below the floor). A name filter is counted from the name indexes.
    histogram = scope.values("points_sum").annotate(n=Count("*"))
    if f.band is not None and not f.q:
        histogram = histogram.annotate(shown=Count("points_sum", filter=view))
    histogram = list(histogram.order_by())
    shown_key = "shown" if f.band is not None else "n"
    count = scope.filter(view).count() if f.q else sum(h[shown_key] for h in histogram)
    base = f.rules.base
    ranks = {v: 1 + sum(h["n"] for h in histogram if h["points_sum"] > v - base) for v in {r["score"] for r in rows}}
    people = Person.all_objects.select_related("organization", "department").in_bulk([r["member"] for r in rows])
    objects = []
    for r in rows:
        person = people[r["member"]]
        person.score, person.points_sum, person.rank = r["score"], r["points_sum"], ranks[r["score"]]
        objects.append(person)
    return Page(objects, number, Paginator(range(count), per_page))


def ranking_rows(user, f: RankingFilters):
    """Every ranked member shown by the filters, best first, as dicts (for the Excel export):
    streamed from PointScore in rank order (organization and department names joined); ranks
    counted over the whole scope while streaming, band and name applied to what is yielded."""
    scope = ranking_scope(user, f)
    qs = scope.values(
        "member", "name", "party_status", "organization__name", "department__name", "points_sum", "score"
    ).order_by(*RANK_ORDER)
    wanted = set(scope.filter(name_q(f.q)).values_list("member", flat=True)) if f.q else None
    low, high = f.band or (None, None)
    rank, previous = 0, None
    for position, row in enumerate(qs.iterator(chunk_size=2000), start=1):
        if row["score"] != previous:
            rank, previous = position, row["score"]
        if wanted is not None and row["member"] not in wanted:
            continue
        if low is not None and row["score"] < low:
            continue
        if high is not None and row["score"] > high:
            continue
        row["rank"] = rank
        yield row


def group_averages(user, window: Window, *, by: str, under: Organization | None = None) -> list[dict]:
    """Average score per department (`by="department"`) or per direct child organization of
    `under` (`by="branch"`), with member counts; best average first. One grouped query."""
    scored = scored_rows(user, window, under=under)
    if by == "department":
        rows = list(
            scored.filter(department__isnull=False)
            .values("department_id")
            .annotate(n=Count("*"), total=Sum("score"))
            .order_by()
        )
        names = dict(Department.all_objects.filter(pk__in=[r["department_id"] for r in rows]).values_list("pk", "name"))
        result = [
            {
                "key": r["department_id"],
                "name": names.get(r["department_id"], ""),
                "members": r["n"],
                "average": round(r["total"] / r["n"], 1) if r["n"] else None,
            }
            for r in rows
        ]
    else:
        if under is None:
            return []
        children = list(Organization.objects.filter(parent=under).order_by("sort_order", "path"))
        sums: dict[str, list[int]] = {c.path: [0, 0] for c in children}
        depth = len(under.path)
        for r in scored.values("org_path").annotate(n=Count("*"), total=Sum("score")).order_by():
            path = r["org_path"]
            end = path.find(".", depth)
            acc = sums.get(path[: end + 1]) if end != -1 else None
            if acc is not None:
                acc[0] += r["n"]
                acc[1] += r["total"] or 0
        result = []
        for child in children:
            n, total = sums[child.path]
            result.append(
                {
                    "key": child.pk,
                    "name": child.name,
                    "organization": child,
                    "members": n,
                    "average": round(total / n, 1) if n else None,
                }
            )
    result.sort(key=lambda r: (r["average"] is None, -(r["average"] or 0), r["name"]))
    rank = 0
    previous = object()
    for i, r in enumerate(result, start=1):
        if r["average"] != previous:
            rank = i
            previous = r["average"]
        r["rank"] = rank if r["average"] is not None else None
    return result


def average_score(user, window: Window, under: Organization | None = None) -> float | None:
    """The average score of the members ranked under `under` (one aggregate over PointScore)."""
    value = scored_rows(user, window, under=under).aggregate(avg=Avg("score"))["avg"]
    return round(float(value), 1) if value is not None else None


# ---------------------------------------------------------------------- entry lists


@dataclass
class EntryFilters(FilterParams):
    org: Organization | None = None
    period: Period | None = None
    status: str = ""
    kind: str = ""
    source: str = ""
    person: Person | None = None
    q: str = ""
    errors: list[str] = field(default_factory=list)

    def params(self) -> dict[str, str]:
        return {
            "org": str(self.org.pk) if self.org else "",
            "period": self.period.code if self.period else "",
            "status": self.status,
            "kind": self.kind,
            "source": self.source,
            "person": str(self.person.pk) if self.person else "",
            "q": self.q,
        }


def _known(value, allowed, what: str, errors: list[str]) -> str:
    """`value` if it is one of `allowed`; otherwise "" and a note in `errors` (an unknown one is ignored)."""
    value = value or ""
    if value and value not in allowed:
        errors.append(f"未知的{what}“{value}”，已忽略")
        return ""
    return value


def entries_visible(user, action: str = "view") -> QuerySet[PointEntry]:
    return policy_for(PointEntry).visible(user, action)


def entries_from_params(user, params, base: QuerySet[PointEntry] | None = None, default_period: bool = True):
    """Entries in scope filtered by org (its subtree, where the entry is filed), period (default:
    this year, unless `default_period` is false), status, kind, source, person and text (the
    member's name or the entry's description)."""
    f = EntryFilters(q=(params.get("q") or "").strip()[:50])
    qs = entries_visible(user) if base is None else base
    if params.get("org"):
        f.org = policy_for(Organization).get_or_404(user, pk=params.get("org"))
        qs = qs.filter(org_path__startswith=f.org.path)
    period = (params.get("period") or "").strip()
    if period:
        try:
            f.period = Period.parse(period)
        except PeriodError as exc:
            f.errors.append(f"{exc}，已显示今年")
    if f.period is None and default_period:
        f.period = Period.parse(str(timezone.localdate().year))  # a city's whole history is millions of rows
    if f.period is not None:
        qs = qs.filter(date__gte=f.period.start, date__lte=f.period.end)
        if f.period.start.year == f.period.end.year:
            qs = qs.filter(year=f.period.start.year)  # the same rows; lets the database use the scope index
    f.status = _known(params.get("status"), EntryStatus.values, "状态", f.errors)
    if f.status:
        qs = qs.filter(status=f.status)
    f.kind = _known(params.get("kind"), EntryKind.values, "来源方式", f.errors)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    source = params.get("source") or ""
    if source:
        f.source = source
        qs = qs.filter(source=source)
    person = (params.get("person") or "").strip()
    if person:
        if person.isdigit():
            f.person = policy_for(Person).visible(user).filter(pk=person).first()
        if f.person is None:
            f.errors.append("人员参数无效，已忽略")
        else:
            qs = qs.filter(person=f.person)
    if f.q:
        from orgs.selectors import text_query

        qs = qs.filter(
            text_query(f.q, name="person__name", initials="person__name_initials", pinyin="person__name_pinyin")
            | Q(description__icontains=f.q)
        )
    return qs.select_related("person", "person__organization"), f
