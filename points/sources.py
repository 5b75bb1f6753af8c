"""Point sources and the engine that turns records into point entries.

An area whose records earn points registers a source here (meetings do it in
points.sources_meetings; training, activities and service hours will do the same from their own
apps) — the points code does not change when a source is added:

    register_point_source(
        "training", "培训", "training.session",
        derive_for_record=lambda session: [Derived(person_id, "points.training", session.date, "参加培训：…")],
        derive_year=lambda year: ...,  # every Derived of the year, each with object_id set
        record_url=lambda pk: reverse("training:session_detail", args=[pk]),
    )

A source only says who earned what under which rule; the engine prices each item with the rule in
force in the item's year (core.rules; a rule set to 0 switches that item off), keeps only
members whose party status takes part (`points.participating_statuses`), files it under the
member's organization and keeps the per-member yearly sums (PointScore) in step. A source may
also give `derive_year_rows(year)`: the same items as annotated querysets, which the yearly
recomputation turns into one INSERT … SELECT each (compiled by the ORM for the database in use),
so that 1.5 million entries are written without passing through Python.

Registering a source also registers a `core.events` listener for its model: every service that
creates, changes, deletes or restores such a record recomputes that record's entries inside the
same transaction (delete and derive again — idempotent; a soft-deleted record earns nothing).
`recompute_year` rebuilds one year of every source's entries in bulk (the `recompute_points`
command), streaming the source rows and writing in batches.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, reset_queries, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from core.events import listen
from core.rules import RuleSet
from points.models import EntryKind, EntryStatus, PointEntry, PointScore, PointScoreYear

BATCH = 2000
BULK_BATCH = 5000  # rows per INSERT in the yearly recomputation


@dataclass(frozen=True, slots=True)
class Derived:
    """One thing a member earned (or lost) points for, before pricing."""

    person_id: int
    rule_code: str
    date: datetime.date
    description: str
    quantity: int = 1  # points = the rule's value × quantity (e.g. hours of service)
    object_id: int | None = None  # the record; required from derive_year


@dataclass(frozen=True)
class PointSource:
    code: str
    label: str
    model_label: str  # "meetings.meeting"
    derive_for_record: Callable[[object], Iterable[Derived]]
    derive_year: Callable[[int], Iterable[Derived]]
    rule_codes: tuple[str, ...] = ()
    record_url: Callable[[int], str] | None = None
    record_label: str = "记录"
    years: Callable[[], Iterable[int]] | None = None  # the years that have records (recompute --all)
    # Optional set-based form of derive_year: querysets annotated pe_person, pe_person_status,
    # pe_person_path, pe_date, pe_rule, pe_description, pe_object_id (and pe_quantity).
    derive_year_rows: Callable[[int], Iterable] | None = None

    @property
    def model(self):
        return apps.get_model(self.model_label)

    def content_type(self) -> ContentType:
        return ContentType.objects.get_for_model(self.model)


_SOURCES: dict[str, PointSource] = {}


def register_point_source(
    code: str,
    label: str,
    model_label: str,
    *,
    derive_for_record: Callable[[object], Iterable[Derived]],
    derive_year: Callable[[int], Iterable[Derived]],
    rule_codes: Iterable[str] = (),
    record_url: Callable[[int], str] | None = None,
    record_label: str = "记录",
    years: Callable[[], Iterable[int]] | None = None,
    derive_year_rows: Callable[[int], Iterable] | None = None,
) -> PointSource:
    if code == "manual":
        raise ValueError("'manual' is reserved for entries entered by hand")
    known = code in _SOURCES
    source = PointSource(
        code=code,
        label=label,
        model_label=model_label.lower(),
        derive_for_record=derive_for_record,
        derive_year=derive_year,
        rule_codes=tuple(rule_codes),
        record_url=record_url,
        record_label=record_label,
        years=years,
        derive_year_rows=derive_year_rows,
    )
    _SOURCES[code] = source
    if not known:
        listen(source.model_label)(lambda instance, _code=code: refresh_record(_SOURCES[_code], instance))
    return source


def registered_sources() -> list[PointSource]:
    return list(_SOURCES.values())


def get_source(code: str) -> PointSource | None:
    return _SOURCES.get(code)


def source_years() -> list[int]:
    """Every year in which some registered source has records."""
    found: set[int] = set()
    for s in _SOURCES.values():
        if s.years is not None:
            found.update(s.years())
    return sorted(found)


def derived_rule_codes() -> set[str]:
    """Rules that registered sources apply by themselves (not offered for manual entries)."""
    return {c for s in _SOURCES.values() for c in s.rule_codes}


# ---------------------------------------------------------------------- pricing


@dataclass
class Pricer:
    """Rule values by (code, year), read once; which party statuses take part in a year."""

    rules: RuleSet = field(default_factory=lambda: RuleSet("points."))
    _cache: dict = field(default_factory=dict)

    def value(self, rule_code: str, year: int) -> int:
        key = (rule_code, year)
        if key not in self._cache:
            self._cache[key] = int(self.rules.get(rule_code, year))
        return self._cache[key]

    def statuses(self, year: int) -> list[str]:
        key = ("statuses", year)
        if key not in self._cache:
            self._cache[key] = list(
                self.rules.get("points.participating_statuses", year, default=["full", "probationary"])
            )
        return self._cache[key]


def _entry(
    source: PointSource, ct: ContentType, d: Derived, pricer: Pricer, org_path: str, object_id
) -> PointEntry | None:
    points = pricer.value(d.rule_code, d.date.year) * d.quantity
    if not points:
        return None  # a rule set to 0 switches that kind of entry off
    return PointEntry(
        person_id=d.person_id,
        year=d.date.year,
        date=d.date,
        points=points,
        kind=EntryKind.DERIVED,
        source=source.code,
        content_type=ct,
        object_id=object_id,
        rule_code=d.rule_code,
        description=d.description[:200],
        status=EntryStatus.EFFECTIVE,
        org_path=org_path,
    )


# ---------------------------------------------------------------------- one record


def refresh_record(source: PointSource, instance) -> tuple[int, int]:
    """Recompute the entries `source` derives from `instance` (delete, derive again).

    Returns (removed, created). Called by the record's services through core.events, inside
    their transaction; idempotent."""
    from orgs.models import Person

    ct = ContentType.objects.get_for_model(type(instance))
    existing = PointEntry.objects.filter(content_type=ct, object_id=instance.pk, source=source.code)
    affected = set(existing.values_list("person_id", "year"))
    removed = existing.delete()[0] if affected else 0
    drafts = [] if getattr(instance, "deleted_at", None) else list(source.derive_for_record(instance))
    entries: list[PointEntry] = []
    if drafts:
        pricer = Pricer()
        people = {
            pk: (status, path)
            for pk, status, path in Person.all_objects.filter(pk__in={d.person_id for d in drafts}).values_list(
                "pk", "party_status", "org_path"
            )
        }
        for d in drafts:
            status, path = people.get(d.person_id, (None, ""))
            if status not in pricer.statuses(d.date.year):
                continue
            entry = _entry(source, ct, d, pricer, path, instance.pk)
            if entry is not None:
                entries.append(entry)
        PointEntry.objects.bulk_create(entries, batch_size=BATCH)
    affected |= {(e.person_id, e.year) for e in entries}
    scores_refresh(affected)
    return removed, len(entries)


# ---------------------------------------------------------------------- yearly sums


def _quarter_sums(year: int) -> dict:
    bounds = [datetime.date(year, m, 1) for m in (1, 4, 7, 10)] + [datetime.date(year + 1, 1, 1)]
    sums = {
        f"q{i}": Coalesce(Sum("points", filter=Q(date__gte=bounds[i - 1], date__lt=bounds[i])), 0) for i in range(1, 5)
    }
    return {**sums, "sum_total": Coalesce(Sum("points"), 0), "n": Count("id")}


def _score_rows(entries, year: int):
    return (
        entries.filter(year=year, status=EntryStatus.EFFECTIVE)
        .values("person_id")
        .annotate(**_quarter_sums(year))
        .order_by()
    )


# The person's columns copied onto their PointScore rows (attnames; the same on both models).
PERSON_COPY = [
    "organization_id",
    "org_path",
    "department_id",
    "party_status",
    "deleted_at",
    "name",
    "name_pinyin",
    "name_initials",
]
SCORE_FIELDS = ["q1", "q2", "q3", "q4", "total", "entries"]
COPY_FIELDS = [a.removesuffix("_id") for a in PERSON_COPY]  # field names for update_fields


def _score(person_id: int, year: int, row: dict | None, person: dict) -> PointScore:
    row = row or {}
    return PointScore(
        person_id=person_id,
        year=year,
        q1=row.get("q1", 0),
        q2=row.get("q2", 0),
        q3=row.get("q3", 0),
        q4=row.get("q4", 0),
        total=row.get("sum_total", 0),
        entries=row.get("n", 0),
        **{a: person.get(a) for a in PERSON_COPY},
    )


def scored_years() -> set[int]:
    """Years whose PointScore rows cover every person (rankings read them alone)."""
    return set(PointScoreYear.objects.values_list("year", flat=True))


def scores_refresh(pairs: Iterable[tuple[int, int]]) -> None:
    """Bring the PointScore rows of these (person, year) pairs in line with their entries and
    with the person's copied columns.

    The members' rows are locked first (in id order), so two transactions changing the same
    member's entries sum up one after the other instead of overwriting each other. The first
    time anything is scored in a year, the year's rows are built for every person instead
    (rebuild_scores: one INSERT … SELECT), so that its rankings can read PointScore alone."""
    from orgs.models import Person

    by_year: dict[int, set[int]] = defaultdict(set)
    for person_id, year in pairs:
        by_year[year].add(person_id)
    if not by_year:
        return
    ids_sorted = sorted(set().union(*by_year.values()))
    people = {
        r["pk"]: r
        for r in Person.all_objects.select_for_update()
        .filter(pk__in=ids_sorted)
        .order_by("pk")
        .values("pk", *PERSON_COPY)
    }
    scored = scored_years()
    objs: list[PointScore] = []
    for year, ids in sorted(by_year.items()):
        if year not in scored:
            _, created = PointScoreYear.objects.get_or_create(year=year)
            if created:  # else another transaction built the year meanwhile: refresh as usual
                rebuild_scores(year)
                continue
        year_ids = sorted(pk for pk in ids if pk in people)
        rows = {r["person_id"]: r for r in _score_rows(PointEntry.objects.filter(person_id__in=year_ids), year)}
        objs += [_score(pk, year, rows.get(pk), people[pk]) for pk in year_ids]
    PointScore.objects.bulk_create(
        objs,
        update_conflicts=True,
        unique_fields=["person", "year"],
        update_fields=SCORE_FIELDS + COPY_FIELDS,
        batch_size=BATCH,
    )


def _year_rows_sql(year: int, where: str = "", where_params=()) -> tuple[str, list]:
    """INSERT … SELECT of a year's PointScore rows: every person (LEFT JOIN their entries' sums,
    compiled by the ORM), with the copied person columns; `where` narrows the people (SQL on
    the person table aliased p)."""
    from orgs.models import Person

    qn = connection.ops.quote_name
    agg_sql, agg_params = _score_rows(PointEntry.objects.all(), year).query.sql_with_params()
    person_cols = [Person._meta.get_field(a.removesuffix("_id")).column for a in PERSON_COPY]
    score_cols = [PointScore._meta.get_field(a.removesuffix("_id")).column for a in PERSON_COPY]
    sums = ["q1", "q2", "q3", "q4", "sum_total", "n"]
    targets = ["person_id", "year", *SCORE_FIELDS, *score_cols]
    select = [
        "p.id",
        "%s",
        *[f"COALESCE(a.{qn(c)}, 0)" for c in sums],
        *[f"p.{qn(c)}" for c in person_cols],
    ]
    sql = (
        f"INSERT INTO {qn(PointScore._meta.db_table)} ({', '.join(qn(c) for c in targets)}) "  # noqa: S608 - names from _meta
        f"SELECT {', '.join(select)} FROM {qn(Person._meta.db_table)} p "
        f"LEFT JOIN ({agg_sql}) a ON a.{qn('person_id')} = p.id" + (f" WHERE {where}" if where else "")
    )
    return sql, [year, *agg_params, *where_params]


def rebuild_scores(year: int, log: Callable[[str], None] = lambda _m: None) -> int:
    """All PointScore rows of a year from its entries, one per person (members without entries
    have zero sums): one DELETE and one INSERT … SELECT; the year is then marked as scored."""
    PointScore.objects.filter(year=year).delete()
    sql, params = _year_rows_sql(year)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = max(cursor.rowcount, 0)
    PointScoreYear.objects.update_or_create(year=year)
    log(f"  {year}年积分汇总：{written:,} 人")
    return written


def sync_people(log: Callable[[str], None] = lambda _m: None, person_ids: Iterable[int] | None = None) -> int:
    """Set-based repair of the copied person columns on every scored year's rows, and rows for
    people who have none (created by a bulk import that bypasses the person services): one
    UPDATE … FROM and one INSERT … SELECT per year (per 500 people when `person_ids` narrows it).
    Returns the rows changed or added."""
    from orgs.models import Person

    qn = connection.ops.quote_name
    table = qn(PointScore._meta.db_table)
    pairs = [
        (
            qn(PointScore._meta.get_field(a.removesuffix("_id")).column),
            qn(Person._meta.get_field(a.removesuffix("_id")).column),
        )
        for a in PERSON_COPY
    ]
    sets = ", ".join(f"{s} = p.{c}" for s, c in pairs)
    differs = " OR ".join(f"{table}.{s} IS DISTINCT FROM p.{c}" for s, c in pairs)
    if connection.vendor == "sqlite":
        differs = " OR ".join(f"{table}.{s} IS NOT p.{c}" for s, c in pairs)
    if person_ids is None:
        chunks: list[list[int]] = [[]]
    else:
        ids = sorted({int(pk) for pk in person_ids})
        chunks = [ids[i : i + 500] for i in range(0, len(ids), 500)]
    changed = 0
    with connection.cursor() as cursor:
        for year in sorted(scored_years()):
            updated = added = 0
            for chunk in chunks:
                narrow = f" AND p.id IN ({', '.join(['%s'] * len(chunk))})" if chunk else ""
                cursor.execute(
                    f"UPDATE {table} SET {sets} FROM {qn(Person._meta.db_table)} p "  # noqa: S608 - names from _meta
                    f"WHERE p.id = {table}.{qn('person_id')} AND {table}.{qn('year')} = %s AND ({differs}){narrow}",
                    [year, *chunk],
                )
                updated += max(cursor.rowcount, 0)
                sql, params = _year_rows_sql(
                    year,
                    f"NOT EXISTS (SELECT 1 FROM {table} s WHERE s.{qn('person_id')} = p.id AND s.{qn('year')} = %s)"  # noqa: S608
                    + narrow,
                    [year, *chunk],
                )
                cursor.execute(sql, params)
                added += max(cursor.rowcount, 0)
            changed += updated + added
            log(f"  {year}年积分汇总：更新人员信息 {updated:,} 行，补建 {added:,} 行")
    return changed


def insert_from_select(model, queryset, columns: list[tuple[str, Expression]]) -> int:
    """INSERT INTO <model> (<columns>) SELECT … — the SELECT compiled by the ORM from `queryset`
    annotated with one expression per column (so it is right for every database backend), the
    INSERT prefix plain standard SQL. Rows never pass through Python: set-based, flat memory."""
    names = [f"_c{i}" for i in range(len(columns))]
    select = queryset.annotate(**{n: expr for n, (_f, expr) in zip(names, columns, strict=True)}).values(*names)
    sql, params = select.query.sql_with_params()
    qn = connection.ops.quote_name
    targets = ", ".join(qn(model._meta.get_field(f).column) for f, _e in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(model._meta.db_table)} ({targets}) {sql}", params)  # noqa: S608 - names from _meta
        return max(cursor.rowcount, 0)


# ---------------------------------------------------------------------- a whole year


@dataclass
class RecomputeResult:
    year: int
    removed: int = 0
    created: int = 0
    scores: int = 0
    seconds: float = 0.0
    by_source: dict[str, int] = field(default_factory=dict)


def _insert_rows(source: PointSource, year: int, pricer: Pricer, ct: ContentType) -> int:
    """A source's rows of the year (`derive_year_rows` querysets) priced and inserted set-based."""
    values = {code: pricer.value(code, year) for code in source.rule_codes}
    priced = [code for code, value in values.items() if value]
    if not priced:
        return 0
    points = Case(*[When(pe_rule=c, then=Value(values[c])) for c in priced], output_field=IntegerField())
    now = timezone.now()
    created = 0
    for qs in source.derive_year_rows(year):
        qs = qs.filter(pe_person_status__in=pricer.statuses(year), pe_rule__in=priced).order_by()
        if "pe_quantity" in qs.query.annotations:
            amount = ExpressionWrapper(points * F("pe_quantity"), output_field=IntegerField())
        else:
            amount = points
        created += insert_from_select(
            PointEntry,
            qs,
            [
                ("person", F("pe_person")),
                ("year", Value(year, output_field=IntegerField())),
                ("date", F("pe_date")),
                ("points", amount),
                ("kind", Value(EntryKind.DERIVED.value, output_field=CharField())),
                ("source", Value(source.code, output_field=CharField())),
                ("content_type", Value(ct.pk, output_field=IntegerField())),
                ("object_id", F("pe_object_id")),
                ("rule_code", F("pe_rule")),
                ("description", Substr(F("pe_description"), 1, 200)),
                ("status", Value(EntryStatus.EFFECTIVE.value, output_field=CharField())),
                ("org_path", F("pe_person_path")),
                ("created_at", Value(now, output_field=DateTimeField())),
                ("review_note", Value("", output_field=CharField())),
            ],
        )
    return created


def _stream_rows(source: PointSource, year: int, pricer: Pricer, ct: ContentType, log, started: float) -> int:
    """A source without `derive_year_rows`: its Derived items streamed and written in batches."""
    from orgs.models import Person

    members = dict(
        Person.all_objects.filter(party_status__in=pricer.statuses(year))
        .values_list("pk", "org_path")
        .iterator(chunk_size=10_000)
    )
    batch: list[PointEntry] = []
    created = 0
    for d in source.derive_year(year):
        path = members.get(d.person_id)
        if path is None or d.date.year != year:
            continue
        entry = _entry(source, ct, d, pricer, path, d.object_id)
        if entry is None:
            continue
        batch.append(entry)
        if len(batch) >= BULK_BATCH:
            PointEntry.objects.bulk_create(batch)
            created += len(batch)
            batch.clear()
            reset_queries()  # with DEBUG on, the SQL log would keep every batch's text
            if created % 100_000 == 0:
                log(f"  {source.label}：已写入 {created:,} 条（{time.perf_counter() - started:.0f} 秒）")
    if batch:
        PointEntry.objects.bulk_create(batch)
        created += len(batch)
    return created


def recompute_year(
    year: int, *, sources: Iterable[str] | None = None, log: Callable[[str], None] = lambda _m: None
) -> RecomputeResult:
    """Rebuild every derived entry of `year` (or of the named sources) and the year's sums.

    One transaction. For each source: one DELETE of its derived entries of the year, then either
    one INSERT … SELECT per `derive_year_rows` queryset (set-based, nothing through Python) or,
    for a source that only streams `derive_year`, bulk_create in batches from a server-side
    cursor. The sums are rebuilt the same set-based way. Memory stays flat whatever the size;
    manual entries are kept; running it twice gives the same entries."""
    started = time.perf_counter()
    result = RecomputeResult(year)
    chosen = [s for s in _SOURCES.values() if sources is None or s.code in set(sources)]
    pricer = Pricer()
    with transaction.atomic():
        for source in chosen:
            ct = source.content_type()
            removed = PointEntry.objects.filter(year=year, kind=EntryKind.DERIVED, source=source.code).delete()[0]
            log(f"  {source.label}：删除 {removed:,} 条（{time.perf_counter() - started:.0f} 秒）")
            if source.derive_year_rows is not None:
                created = _insert_rows(source, year, pricer, ct)
            else:
                created = _stream_rows(source, year, pricer, ct, log, started)
            result.removed += removed
            result.by_source[source.code] = created
            result.created += created
            log(f"  {source.label}：写入 {created:,} 条（{time.perf_counter() - started:.0f} 秒）")
        result.scores = rebuild_scores(year, log)
    result.seconds = time.perf_counter() - started
    return result
