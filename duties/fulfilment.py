"""How far each responsibility item was fulfilled in a period (落实情况), from the evidence on record.

An item is due once per period of its frequency ("slots"): a quarterly item viewed for 2022H1 has
two slots, 2022Q1 and 2022Q2; a yearly item viewed for 2022H1 has one slot, 2022, which is not yet
due at the end of June. A slot is covered by evidence entered for it, or — for an item derived from
a statistic — by that statistic being above zero for the slot (e.g. the number of 党建工作专题会
in the quarter): enter once, derive everything, and the evidence links to those records.

State of an item for the viewed period:
- "missing" (缺少佐证): a slot that has ended (before today, within the period) has no evidence;
- "done" (已落实): every slot has evidence;
- "open" (未到期): nothing ended is missing, but some slot still runs.
A one-off item (一次性) has one slot: any evidence up to the period's end; it is due once the
period has ended.

Queries (`statuses`, a page of items): one for the entered evidence, one for the counts of the
meetings and liaison activities derived items count (kept per item and period by duties.coverage),
plus one per other statistic code (duties.derivations), whatever the number of items. `states`
computes the same from the records themselves (the reference the stored coverage is tested
against; the list's filter and count use duties.coverage).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.periods import Period
from core.stats import StatValue
from duties.coverage import counted_here, derived_counts
from duties.derivations import OrgRef, derived_link, derived_values
from duties.models import Frequency, ResponsibilityEvidence, ResponsibilityItem

DONE, OPEN, MISSING = "done", "open", "missing"
STATE_LABELS = {DONE: "已落实", OPEN: "未到期", MISSING: "缺少佐证"}
STATE_CSS = {DONE: "text-bg-success", OPEN: "text-bg-light border", MISSING: "badge-overdue"}
ONCE_CODE = "once"


@dataclass
class Slot:
    period: Period | None  # None: a one-off item
    due: bool
    entered: list[ResponsibilityEvidence] = field(default_factory=list)
    derived: StatValue | None = None

    @property
    def code(self) -> str:
        return self.period.code if self.period else ONCE_CODE

    @property
    def label(self) -> str:
        if self.period is None:
            return "一次性"
        p = self.period
        if p.kind == "month":
            return f"{p.start.month}月"
        if p.kind == "quarter":
            return f"{'一二三四'[(p.start.month - 1) // 3]}季度"
        if p.kind == "half":
            return "上半年" if p.start.month == 1 else "下半年"
        return f"{p.start.year}年"

    @property
    def covered(self) -> bool:
        return bool(self.entered) or bool(self.derived and self.derived.value > 0)

    @property
    def state(self) -> str:
        if self.covered:
            return DONE
        return MISSING if self.due else OPEN


@dataclass
class ItemStatus:
    item: ResponsibilityItem
    slots: list[Slot]

    @property
    def state(self) -> str:
        if any(s.due and not s.covered for s in self.slots):
            return MISSING
        if all(s.covered for s in self.slots):
            return DONE
        return OPEN

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def state_css(self) -> str:
        return STATE_CSS[self.state]

    @property
    def suggested_period(self) -> str:
        """The period to record evidence for: the first one missing, else the first still open."""
        open_ = [s for s in self.slots if s.period is not None and not s.covered]
        due = [s for s in open_ if s.due]
        return (due or open_)[0].code if (due or open_) else ""

    @property
    def covered_count(self) -> int:
        return sum(s.covered for s in self.slots)


def slots_for(frequency: str, period: Period, today: datetime.date) -> list[Slot]:
    return [Slot(s.period, s.due) for s in _slot_template(frequency, period, today)]


def _slot_template(frequency: str, period: Period, today: datetime.date) -> list[Slot]:
    if frequency == Frequency.ONCE:
        return [Slot(None, due=period.end < today)]
    slots: list[Slot] = []
    seen: set[str] = set()
    for month in period.months():
        p = Period.containing(frequency, month.start)
        if p.code not in seen:
            seen.add(p.code)
            slots.append(Slot(p, due=p.end <= period.end and p.end < today))
    return slots


def _entered(
    items: list, items_qs: QuerySet | None, codes: set[str], period: Period, *, detail: bool = True
) -> dict[tuple[int, str], list]:
    """Entered evidence of the items for the slot codes (one-off items: anything up to the end).

    With `items_qs` the items are selected by subqueries (any number of items); otherwise by
    their keys (a page of items). Either way the index on (item, period_code) does the work."""
    if items_qs is not None:
        once = Q(item__in=items_qs.filter(frequency=Frequency.ONCE).order_by().values("pk"))
        other = Q(item__in=items_qs.exclude(frequency=Frequency.ONCE).order_by().values("pk"))
    else:
        once = Q(item_id__in=[i.pk for i in items if i.frequency == Frequency.ONCE])
        other = Q(item_id__in=[i.pk for i in items if i.frequency != Frequency.ONCE])
    qs = ResponsibilityEvidence.objects.filter(
        (other & Q(period_code__in=codes)) | (once & Q(period_start__lte=period.end))
    ).order_by("period_start", "id")
    frequency = {i.pk: i.frequency for i in items}
    found: dict[tuple[int, str], list] = defaultdict(list)
    if not detail:  # counting only: which (item, period) have evidence
        for item_id, code in qs.values_list("item_id", "period_code"):
            key = ONCE_CODE if frequency.get(item_id) == Frequency.ONCE else code
            found[(item_id, key)].append(True)
        return found
    for ev in qs.only("id", "item_id", "period_code", "period_start", "done_on", "note"):
        key = ONCE_CODE if frequency.get(ev.item_id) == Frequency.ONCE else ev.period_code
        found[(ev.item_id, key)].append(ev)
    return found


def statuses(
    items: list[ResponsibilityItem],
    period: Period,
    *,
    user=None,
    today: datetime.date | None = None,
    items_qs: QuerySet | None = None,
    detail: bool = True,
) -> list[ItemStatus]:
    """The fulfilment of `items` (with `organization` loaded) in `period`.

    `items_qs` (a queryset of the same items) keeps the evidence query's size independent of the
    number of items; without it the items' primary keys are used. `detail=False` (for counting)
    skips the evidence rows' contents and the links of derived figures."""
    today = today or timezone.localdate()
    templates: dict[str, list[Slot]] = {}
    result = []
    for item in items:
        if item.frequency not in templates:
            templates[item.frequency] = _slot_template(item.frequency, period, today)
        result.append(ItemStatus(item, [Slot(s.period, s.due) for s in templates[item.frequency]]))
    if not result:
        return result
    codes = {s.code for st in result for s in st.slots if s.period is not None}
    entered = _entered(items, items_qs, codes, period, detail=detail)
    stored = [st.item.pk for st in result if st.item.derived_from and counted_here(st.item.derived_from)]
    counts = derived_counts(stored, codes)
    stored_set = set(stored)
    wanted = {
        (st.item.derived_from, st.item.organization, s.period)
        for st in result
        if st.item.derived_from and st.item.pk not in stored_set
        for s in st.slots
        if s.period is not None
    }
    derived = derived_values(wanted, user=user, links=detail)
    links: dict[str, object] = {}
    for st in result:
        code = st.item.derived_from
        for slot in st.slots:
            slot.entered = entered.get((st.item.pk, slot.code), [])
            if not code or slot.period is None:
                continue
            if st.item.pk in stored_set:
                if detail and code not in links:
                    links[code] = derived_link(code, user)
                n = counts.get((st.item.pk, slot.period.code), 0)
                # The link is shown for a covered slot only (duties_tags.slot_badge).
                url = links[code](st.item.organization, slot.period) if detail and n else ""
                slot.derived = StatValue(n, url, "次")
            else:
                slot.derived = derived.get((code, st.item.organization_id, slot.period.code))
    return result


@dataclass(frozen=True)
class _Ref:
    pk: int
    frequency: str


def states(
    qs: QuerySet,
    period: Period,
    *,
    user=None,
    today: datetime.date | None = None,
) -> dict[int, str]:
    """{item pk: state} for every item of `qs`, for counting and filtering: the same rules as
    `statuses` without building its objects (items read as plain rows; a constant number of
    queries whatever their number)."""
    today = today or timezone.localdate()
    rows = list(qs.order_by().values_list("pk", "frequency", "derived_from", "organization_id", "organization__path"))
    if not rows:
        return {}
    templates = {f: _slot_template(f, period, today) for f in {r[1] for r in rows}}
    codes = {s.code for slots in templates.values() for s in slots if s.period is not None}
    light = [_Ref(pk, freq) for pk, freq, *_ in rows]
    entered = _entered(light, qs, codes, period, detail=False)
    orgs = {org_id: OrgRef(org_id, path) for _, _, _, org_id, path in rows}
    wanted = {
        (derived, orgs[org_id], s.period)
        for _, freq, derived, org_id, _ in rows
        if derived
        for s in templates[freq]
        if s.period is not None
    }
    derived_map = derived_values(wanted, user=user, links=False)
    result: dict[int, str] = {}
    for pk, freq, derived, org_id, _ in rows:
        missing, all_covered = False, True
        for s in templates[freq]:
            covered = (pk, s.code) in entered
            if not covered and derived and s.period is not None:
                value = derived_map.get((derived, org_id, s.period.code))
                covered = bool(value and value.value > 0)
            if not covered:
                all_covered = False
                if s.due:
                    missing = True
                    break
        result[pk] = MISSING if missing else (DONE if all_covered else OPEN)
    return result
