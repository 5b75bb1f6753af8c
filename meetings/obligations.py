"""Rules → obligations: what each organization owes per period, what was held, what is due.

INTERFACE (implemented by the obligations work; views, reminders, statistics and the heatmap use it):

    @dataclass
    class Obligation:
        organization: Organization
        kind: str                 # a MeetingKind value with a rule meeting.freq.<kind>
        period: Period            # the month / quarter / year in which it is owed
        required: int             # from the rule's "min"
        held: int                 # meetings of that kind held by the organization in the period
        due_on: datetime.date     # period end; for 主题党日 the branch's fixed day of the month
        state: str                # "done" | "upcoming" | "due" (yellow: due soon) | "overdue" (red)
        label (property)          # e.g. "支委会（2022年5月）"
        new_url (property)        # the meeting form pre-filled with organization and kind
        list_url (property)       # the ledger filtered to these meetings (its total == held)

    def obligations_for(org, period, today=None) -> list[Obligation]
    def obligations_grid(orgs, period, today=None) -> dict[(org_id, kind, month_code), Obligation]
        # batched: a constant number of queries whatever the number of organizations
    def due_obligations(user, today=None) -> list[Obligation]
        # not yet met in the current month/quarter/year, for the organizations the user writes
        # (include_overdue=True adds the unmet periods that ended last month: 上月、上季度、上年度)

    Also: compute(orgs, targets, today, rules) — the batched core (targets from targets_within /
    targets_current / targets_just_ended); owing_organizations(under), writable_organizations(user);
    compliance(obligations, today) → met vs owed (an obligation counts once its period has ended,
    or earlier if it is already met); frequencies(rules, year) → the rules in force.

DECISIONS (where the rules leave room):

- Who owes what. A kind is owed when a rule `meeting.freq.<kind>` is in force for the period's
  year (value {"period": "month"|"quarter"|"half"|"year", "min": n>0, "requires": ...}).
  Leadership kinds (models.LEADERSHIP_KINDS, e.g. 机关党员干部大会) are owed by the 机关党委
  (org_type "committee"); every other kind by 党支部, 联合党支部 and 党总支 (a 党总支 holds its own
  党员大会, 党课, 组织生活会…). 党小组 owe nothing themselves. "requires": "committee" → only an
  organization with has_committee; "requires": "cells" → only one with has_cells.
- 党小组会 are owed by the branch (one obligation per branch and month, not per cell) and
  satisfied by 党小组会 recorded on any of its cells. In general, a meeting recorded on a 党小组
  counts for the 党小组's parent branch; a meeting recorded on a sub-branch of a 党总支 does not
  count for the 党总支.
- Which periods. obligations_for/obligations_grid cover the periods of each rule that lie wholly
  inside the asked period (a quarter asked → its 3 months and the quarter itself, not the year).
  The rule in force is the one for the period's year.
- Since when. An organization owes nothing for periods that ended before it existed: before its
  established_on (成立日期) or, when that is empty, before the day its record was created
  (created_at) — history before the platform knew the organization is not reported as missed;
  fill in 成立日期 to have it owed. The period in which it was founded is owed.
- A committee gained mid-year. has_committee has no history, so 支委会 are owed from the start
  date of the earliest 委员 post (组织委员/宣传委员/纪检委员 — a branch without a committee has
  only a 书记, possibly a 副书记) recorded on the organization; with no 委员 post recorded, from
  the organization's start as above. A branch whose committee was dissolved (has_committee now
  False) owes no 支委会 for any period, past ones included (limitation: no history).
- Due date. The period's last day; for a monthly 主题党日 of a branch with fixed_theme_day, that
  day of the month (the branch's own commitment, capped at the month's last day).
- State, for `today`: "done" when held ≥ required; otherwise "overdue" once the period has ended;
  otherwise "due" (yellow) from tracking.yellow_days_before days before the due date — never
  before the period starts — until the period ends (so a 主题党日 whose fixed day passed without
  a record stays yellow until the month ends: "相对固定" allows a few days' shift); otherwise
  "upcoming".
- Grid keys. obligations_grid keys each obligation by the month in which its period ends
  (month_code "2022-06" for 2022Q2 and for 2022-06; "2022-12" for the year 2022).
- list_url filters the ledger by org (subtree), kind and period: for branches (whose only
  children are 党小组) its total equals `held`; for a 党总支 the ledger also shows its sub-branches'
  meetings of that kind, which `held` does not count.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Min
from django.db.models.functions import ExtractMonth, ExtractYear
from django.urls import reverse
from django.utils import timezone

from core.periods import Period
from core.rules import RuleSet
from core.scope import WRITE_ROLES, Scope
from meetings.models import LEADERSHIP_KINDS, Meeting, MeetingKind
from orgs.models import Organization, OrgType, PartyPost, PostType

FREQ_PREFIX = "meeting.freq."
BRANCH_TYPES = (OrgType.BRANCH, OrgType.JOINT_BRANCH, OrgType.GENERAL_BRANCH)
OWING_TYPES = (*BRANCH_TYPES, OrgType.COMMITTEE)
# Posts that exist only where a branch committee (支部委员会) has been set up.
COMMITTEE_MEMBER_POSTS = (PostType.ORGANIZATION_MEMBER, PostType.PUBLICITY_MEMBER, PostType.DISCIPLINE_MEMBER)
PERIOD_KINDS = ("month", "quarter", "half", "year")
KIND_ORDER = {kind: i for i, kind in enumerate(MeetingKind.values)}
KIND_LABELS = dict(MeetingKind.choices)
BATCH_BY_ID = 200  # up to this many organizations, queries select by id rather than by subtree

DONE, UPCOMING, DUE, OVERDUE = "done", "upcoming", "due", "overdue"
STATE_LABELS = {DONE: "已完成", UPCOMING: "未到期", DUE: "临期", OVERDUE: "已逾期"}
# How the home page and the reminders name the period an obligation belongs to.
CURRENT_WORDS = {"month": "本月", "quarter": "本季度", "half": "本半年度", "year": "本年度"}
PREVIOUS_WORDS = {"month": "上月", "quarter": "上季度", "half": "上个半年度", "year": "上年度"}
FREQ_WORDS = {"month": "每月", "quarter": "每季度", "half": "每半年", "year": "每年"}


@dataclass(frozen=True)
class Frequency:
    """A rule meeting.freq.<kind> as in force for one year."""

    kind: str
    period: str
    min: int
    requires: str = ""

    @property
    def text(self) -> str:
        """E.g. "每月至少1次"."""
        return f"{FREQ_WORDS.get(self.period, '')}至少{self.min}次"


@dataclass(slots=True)
class Obligation:
    organization: Organization
    kind: str
    period: Period
    required: int
    held: int
    due_on: datetime.date
    state: str
    form_org_id: int | None = None  # where a new meeting is recorded (a branch's only 党小组 for 党小组会)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def label(self) -> str:
        return f"{self.kind_label}（{self.period.label}）"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_met(self) -> bool:
        return self.state == DONE

    @property
    def missing(self) -> int:
        return max(self.required - self.held, 0)

    @property
    def rule_text(self) -> str:
        """E.g. "每月至少1次"."""
        return f"{FREQ_WORDS.get(self.period.kind, '')}至少{self.required}次"

    @property
    def month_code(self) -> str:
        return f"{self.period.end.year}-{self.period.end.month:02d}"

    @property
    def new_url(self) -> str:
        org_id = self.form_org_id or self.organization.pk
        return reverse("meetings:meeting_create") + f"?org={org_id}&kind={self.kind}"

    @property
    def list_url(self) -> str:
        query = {"org": self.organization.pk, "kind": self.kind, "period": self.period.code}
        return reverse("meetings:meeting_list") + "?" + urlencode(query)


# ---------------------------------------------------------------- rules


def frequencies(rules: RuleSet, year: int) -> list[Frequency]:
    """The meeting frequencies in force in `year`, in MeetingKind order (unusable rules skipped)."""
    result = []
    for kind in MeetingKind.values:
        try:
            value = rules.get(FREQ_PREFIX + kind, year)
        except KeyError:
            continue
        if not isinstance(value, dict) or value.get("period") not in PERIOD_KINDS:
            continue
        try:
            minimum = int(value.get("min", 1))
        except (TypeError, ValueError):
            continue
        if minimum <= 0:
            continue
        result.append(Frequency(kind, value["period"], minimum, str(value.get("requires") or "")))
    return result


def yellow_days(rules: RuleSet, year: int) -> int:
    try:
        return int(rules.get("tracking.yellow_days_before", year, default=3))
    except (TypeError, ValueError):
        return 3


def owes_kind(org: Organization, kind: str) -> bool:
    """By organization type only (the rule's "requires" is checked separately)."""
    if kind in LEADERSHIP_KINDS:
        return org.org_type == OrgType.COMMITTEE
    return org.org_type in BRANCH_TYPES


# ---------------------------------------------------------------- periods


def _periods_of_year(kind: str, year: int) -> list[Period]:
    if kind == "month":
        return [Period.month(year, m) for m in range(1, 13)]
    if kind == "quarter":
        return [Period.quarter(year, q) for q in range(1, 5)]
    if kind == "half":
        return [Period.parse(f"{year}H1"), Period.parse(f"{year}H2")]
    return [Period.parse(str(year))]


Target = tuple[Frequency, Period]


def targets_within(span: Period, rules: RuleSet) -> list[Target]:
    """(frequency, period) for every rule period lying wholly inside `span`."""
    result = []
    for year in range(span.start.year, span.end.year + 1):
        for freq in frequencies(rules, year):
            result.extend(
                (freq, p) for p in _periods_of_year(freq.period, year) if p.start >= span.start and p.end <= span.end
            )
    return result


def targets_current(today: datetime.date, rules: RuleSet) -> list[Target]:
    """The current month / quarter / year of each rule."""
    return [(freq, Period.containing(freq.period, today)) for freq in frequencies(rules, today.year)]


def targets_just_ended(today: datetime.date, rules: RuleSet) -> list[Target]:
    """The rule periods that ended on the last day of the previous month (上月、上季度、上年度…)."""
    last = today.replace(day=1) - datetime.timedelta(days=1)
    result = []
    for freq in frequencies(rules, last.year):
        period = Period.containing(freq.period, last)
        if period.end == last:
            result.append((freq, period))
    return result


def due_date(org: Organization, kind: str, period: Period) -> datetime.date:
    if kind == MeetingKind.THEME_DAY and period.kind == "month" and org.fixed_theme_day:
        last = calendar.monthrange(period.start.year, period.start.month)[1]
        return period.start.replace(day=min(int(org.fixed_theme_day), last))
    return period.end


def state_of(required: int, held: int, period: Period, due_on: datetime.date, today: datetime.date, yellow: int) -> str:
    if held >= required:
        return DONE
    if today > period.end:
        return OVERDUE
    if today >= max(period.start, due_on - datetime.timedelta(days=yellow)):
        return DUE
    return UPCOMING


def owed_from(org: Organization) -> datetime.date:
    """The first day the organization owes anything (成立日期, else the day it was entered)."""
    if org.established_on:
        return org.established_on
    if org.created_at:
        return timezone.localdate(org.created_at)
    return datetime.date.min


def _common_prefix(paths: Iterable[str]) -> str:
    """The longest common path prefix ending at a segment boundary ("0001.0002." & "0001.0003." → "0001.")."""
    paths = list(paths)
    if not paths:
        return ""
    first = min(paths)
    last = max(paths)
    i = 0
    while i < len(first) and i < len(last) and first[i] == last[i]:
        i += 1
    prefix = first[:i]
    return prefix[: prefix.rfind(".") + 1] if "." in prefix else ""


# ---------------------------------------------------------------- computation


def compute(
    orgs: Iterable[Organization], targets: list[Target], today: datetime.date, rules: RuleSet
) -> list[Obligation]:
    """Obligations of `orgs` for the given (frequency, period) targets: at most three queries
    (committee posts, 党小组, meetings held), whatever the number of organizations."""
    orgs = [o for o in orgs if o.org_type in OWING_TYPES]
    if not orgs or not targets:
        return []
    start = min(p.start for _, p in targets)
    end = max(p.end for _, p in targets)
    kinds = {f.kind for f, _ in targets}
    ids = [o.pk for o in orgs]
    # A few organizations (a page of the heatmap, one branch): select by id, which the indexes on
    # organization serve. Many (the daily reminders): select the subtree of their common ancestor.
    few = len(ids) <= BATCH_BY_ID
    prefix = _common_prefix(o.path for o in orgs)
    org_filter = {"organization_id__in": ids} if few else {"organization__path__startswith": prefix}

    committee_from: dict[int, datetime.date] = {}
    if any(f.requires == "committee" for f, _ in targets) and any(o.has_committee for o in orgs):
        posts = PartyPost.objects.filter(post__in=COMMITTEE_MEMBER_POSTS, **org_filter)
        committee_from = dict(
            posts.values("organization_id").annotate(first=Min("start_on")).values_list("organization_id", "first")
        )

    cells: dict[int, list[int]] = defaultdict(list)
    if few or (any(f.requires == "cells" for f, _ in targets) and any(o.has_cells for o in orgs)):
        cell_rows = Organization.objects.filter(org_type=OrgType.CELL)
        cell_rows = cell_rows.filter(parent_id__in=ids) if few else cell_rows.filter(path__startswith=prefix)
        for cell_id, parent_id in cell_rows.order_by("path").values_list("id", "parent_id"):
            cells[parent_id].append(cell_id)
    only_cell = {parent: cell_ids[0] for parent, cell_ids in cells.items() if len(cell_ids) == 1}

    meetings = Meeting.objects.filter(held_on__gte=start, held_on__lte=end, kind__in=kinds)
    if few:
        meetings = meetings.filter(organization_id__in=ids + [c for cell_ids in cells.values() for c in cell_ids])
    else:
        meetings = meetings.filter(org_path__startswith=prefix)
    held: dict[tuple[int, str, int, int], int] = defaultdict(int)
    rows = (
        meetings.values("organization_id", "organization__parent_id", "organization__org_type", "kind")
        .annotate(y=ExtractYear("held_on"), m=ExtractMonth("held_on"), n=Count("id"))
        .order_by()
    )
    for row in rows:
        owner = (
            row["organization__parent_id"] if row["organization__org_type"] == OrgType.CELL else row["organization_id"]
        )
        held[(owner, row["kind"], row["y"], row["m"])] += row["n"]

    yellow = yellow_days(rules, today.year)
    months_of: dict[Period, list[tuple[int, int]]] = {}
    for _, p in targets:
        if p not in months_of:
            months_of[p] = [(m.start.year, m.start.month) for m in p.months()]

    result: list[Obligation] = []
    for org in orgs:
        begin = owed_from(org)
        for freq, period in targets:
            if not owes_kind(org, freq.kind):
                continue
            since = begin
            if freq.requires == "committee":
                if not org.has_committee:
                    continue
                since = max(begin, committee_from.get(org.pk, begin))
            elif freq.requires == "cells" and not org.has_cells:
                continue
            if period.end < since:
                continue
            count = sum(held.get((org.pk, freq.kind, y, m), 0) for y, m in months_of[period])
            due = due_date(org, freq.kind, period)
            result.append(
                Obligation(
                    organization=org,
                    kind=freq.kind,
                    period=period,
                    required=freq.min,
                    held=count,
                    due_on=due,
                    state=state_of(freq.min, count, period, due, today, yellow),
                    form_org_id=only_cell.get(org.pk) if freq.kind == MeetingKind.CELL else None,
                )
            )
    return result


def sort_key(o: Obligation):
    return (o.due_on, o.organization.path, KIND_ORDER.get(o.kind, 99), o.period.start)


def obligations_for(org: Organization, period: Period, today: datetime.date | None = None) -> list[Obligation]:
    """What `org` owes for the rule periods inside `period`, soonest due first."""
    today = today or timezone.localdate()
    rules = RuleSet()
    return sorted(compute([org], targets_within(period, rules), today, rules), key=sort_key)


def obligations_grid(
    orgs: Iterable[Organization], period: Period, today: datetime.date | None = None
) -> dict[tuple[int, str, str], Obligation]:
    """{(org_id, kind, month_code): Obligation} for the heatmap; constant number of queries."""
    today = today or timezone.localdate()
    rules = RuleSet()
    return {
        (o.organization.pk, o.kind, o.month_code): o for o in compute(orgs, targets_within(period, rules), today, rules)
    }


def owing_organizations(under: Organization | None = None):
    """Organizations that owe meetings (branches, general branches, the 机关党委), in tree order."""
    qs = Organization.objects.filter(org_type__in=OWING_TYPES).order_by("path")
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    return qs


def writable_organizations(user):
    """Owing organizations the user may record meetings for (core.scope WRITE_ROLES)."""
    q = Scope.of(user).org_q("path", WRITE_ROLES)
    qs = owing_organizations()
    return qs if q is None else qs.filter(q)


def due_obligations(user, today: datetime.date | None = None, *, include_overdue: bool = False) -> list[Obligation]:
    """Not yet met in the current month/quarter/year, for the organizations the user may change.

    With include_overdue, also the unmet obligations of the periods that ended last month
    (上月、上季度、上年度 — state "overdue"). Sorted by due date."""
    today = today or timezone.localdate()
    if user is None or not user.is_authenticated or not Scope.of(user).has_role(*WRITE_ROLES):
        return []
    rules = RuleSet()
    targets = targets_current(today, rules)
    if include_overdue:
        targets += targets_just_ended(today, rules)
    found = compute(writable_organizations(user), targets, today, rules)
    return sorted((o for o in found if o.state != DONE), key=sort_key)


@dataclass
class Compliance:
    owed: int = 0  # obligations whose period has ended (or that are already met)
    met: int = 0

    @property
    def rate(self) -> float | None:
        return round(100.0 * self.met / self.owed, 1) if self.owed else None


def compliance(obligations: Iterable[Obligation], today: datetime.date) -> Compliance:
    """Met vs owed, counting an obligation once its period has ended or once it is met."""
    result = Compliance()
    for o in obligations:
        if o.state == DONE or o.period.end < today:
            result.owed += 1
            result.met += o.state == DONE
    return result
