"""Registry of statistics for the work report and the dashboard.

Each app registers functions `(period, organization, user) -> StatValue`. A StatValue carries the
link to the filtered list of the records behind it; that list's total must equal the value.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from core.periods import Period


@dataclass
class StatValue:
    """A figure and the link to the records behind it.

    `exact` (default True): the linked list's total ("共 N 条", id="list-total") equals `value`.
    Set it False when the url can only show the closest list (a rate, a number of distinct
    lecturers, a heatmap). `text`: in a report paragraph, show this phrase (still linked) instead
    of the number, e.g. "主要负责人以《……》为题讲授党课"; `value` stays the number of records."""

    value: int | float
    url: str
    unit: str = "个"
    exact: bool = True
    text: str = ""

    @property
    def display(self) -> str:
        return self.text or _fmt(self.value)

    @property
    def countable(self) -> bool:
        """Whether following `url` must list exactly `value` records (what the tests check): an
        integer count marked exact. Floats (rates, averages) never are, even when whole."""
        if not self.exact or self.unit == "%" or isinstance(self.value, bool):
            return False
        return isinstance(self.value, int)


@dataclass
class Statistic:
    code: str
    label: str
    area: str
    compute: Callable
    order: int = 100
    home: bool = False  # also shown as a figure on the home page
    unit: str = ""
    # Who may see the figure (its list); None: every reader (core.scope.READ_ROLES). E.g. the
    # periodic-assessment figures, whose records branch secretaries may not open.
    roles: tuple[str, ...] | None = None

    def visible_to(self, user) -> bool:
        if self.roles is None or user is None:
            return True
        from core.scope import Scope

        return Scope.of(user).has_role(*self.roles)


_STATS: dict[str, Statistic] = {}


def register_statistic(
    code: str,
    label: str,
    area: str,
    *,
    order: int = 100,
    home: bool = False,
    unit: str = "",
    roles: tuple[str, ...] | None = None,
):
    def decorator(func: Callable) -> Callable:
        _STATS[code] = Statistic(
            code=code, label=label, area=area, compute=func, order=order, home=home, unit=unit, roles=roles
        )
        return func

    return decorator


def registered_statistics(user=None) -> list[Statistic]:
    """Every statistic, or with `user` those the user may see (their `roles`)."""
    stats = sorted(_STATS.values(), key=lambda s: (s.area, s.order, s.code))
    return [s for s in stats if s.visible_to(user)] if user is not None else stats


def get_statistic(code: str) -> Statistic:
    return _STATS[code]


def compute_all(period: Period, organization, user=None) -> list[tuple[Statistic, StatValue]]:
    return [(s, s.compute(period, organization, user)) for s in registered_statistics(user)]


def home_figures(user, today: datetime.date) -> list[tuple[Statistic, StatValue]]:
    from core.scope import READ_ROLES, Scope

    scope = Scope.of(user)
    if not scope.has_role(*READ_ROLES):
        return []  # figures link to ledgers; a member sees their own record instead
    org = scope.home_organization
    if org is None:
        return []
    period = Period.containing("year", today)
    return [(s, s.compute(period, org, user)) for s in registered_statistics(user) if s.home]


# ---------------------------------------------------------------- report sections


@dataclass
class ReportParagraph:
    """A paragraph of the work report: text with figures, each figure linking to its records.

    `text` uses `{code}` placeholders for the statistics named in `figures`, so the same paragraph
    renders as plain text (Word) or with links (screen)."""

    text: str
    figures: dict[str, StatValue]

    def plain(self) -> str:
        return self.text.format(**{k: v.display for k, v in self.figures.items()})


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


# The numbered parts of "一、主要工作", in the seed report's order. A registered section names
# its chapter; the report groups sections by chapter, then by `order`.
CHAPTERS: dict[str, tuple[int, str]] = {
    "organization": (1, "筑牢党建责任，夯实组织建设"),  # responsibility, meetings, inspections, 述职, 评星
    "political": (2, "突出政治建设，强化思想引领"),  # study, 民主生活会, 主体责任清单, 廉政风险, 党课
    "integration": (3, "抓好融合互促，提升工作实绩"),  # enterprises, culture, industry party work
    "team": (4, "深化队伍建设，抓好考核培养"),  # 履职清单, 平时考核, training, 第一种形态, 积分与先锋
}


@dataclass
class ReportSection:
    code: str
    title: str  # a short name of what the section covers, e.g. "专题会议"
    order: int  # position inside its chapter
    build: Callable  # (period, organization, user) -> list[ReportParagraph]
    area: str = ""
    chapter: str = "organization"  # a key of CHAPTERS


_SECTIONS: dict[str, ReportSection] = {}


def register_report_section(code: str, title: str, *, order: int = 100, area: str = "", chapter: str = "organization"):
    """Register a section of the periodic work report; areas added later appear by registering."""
    if chapter not in CHAPTERS:
        raise ValueError(f"unknown report chapter {chapter}")

    def decorator(func: Callable) -> Callable:
        _SECTIONS[code] = ReportSection(code=code, title=title, order=order, build=func, area=area, chapter=chapter)
        return func

    return decorator


def registered_sections() -> list[ReportSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (CHAPTERS[s.chapter][0], s.order, s.code))


# ---------------------------------------------------------------- alerts (存在的问题, dashboard)


@dataclass
class Alert:
    """Something the committee should act on: a lagging branch, an overdue item, a missing duty.

    Alerts fill the dashboard's alerts panel and draft the report's "二、存在的问题"."""

    text: str  # a sentence in Chinese, e.g. "图书馆党支部本季度未召开支委会2次"
    url: str  # the filtered list of the records behind it
    level: str = "warning"  # "warning" (yellow) or "danger" (red)
    count: int = 0  # how many records the url lists
    topic: str = ""  # "imbalance" (推进不平衡), "supervision" (督促检查少), "responsibility" (责任递减)


_ALERTS: dict[str, Callable] = {}


def register_alert(code: str):
    """Register `(period, organization, user) -> list[Alert]`."""

    def decorator(func: Callable) -> Callable:
        _ALERTS[code] = func
        return func

    return decorator


def collect_alerts(period: Period, organization, user=None, *, on_error: Callable | None = None) -> list[Alert]:
    """Every registered source's alerts. With `on_error(code, exc)`, a failing source is reported
    there and skipped instead of raising (the dashboard keeps the others)."""
    alerts: list[Alert] = []
    for code in sorted(_ALERTS):
        if on_error is None:
            alerts.extend(_ALERTS[code](period, organization, user))
            continue
        try:
            with contextlib.ExitStack() as stack:
                from django.db import transaction

                if transaction.get_connection().in_atomic_block:
                    stack.enter_context(transaction.atomic())  # a savepoint: a failed query stays contained
                alerts.extend(_ALERTS[code](period, organization, user))
        except Exception as exc:  # noqa: BLE001 - handed to on_error
            on_error(code, exc)
    return alerts


# How the report's "二、存在的问题" names each alert topic ("一是党建工作推进不平衡。……").
ALERT_TOPICS: dict[str, str] = {
    "imbalance": "党建工作推进不平衡",
    "supervision": "督促检查抓得不严",
    "responsibility": "责任落实存在层层递减",
}


# ---------------------------------------------------------------- next steps (三、下一步打算)


@dataclass
class NextStepSource:
    code: str
    title: str  # what the plan is about, e.g. "抓好问题整改销号"; the report writes "一是抓好问题整改销号。"
    build: Callable  # (period, organization, user) -> list[ReportParagraph]; [] when nothing is open
    order: int = 100


_NEXT_STEPS: dict[str, NextStepSource] = {}


def register_next_steps(code: str, title: str, *, order: int = 100):
    """Register paragraphs for "三、下一步打算" drawn from what is still open (plans, obligations,
    tracked items); each figure links to the open records."""

    def decorator(func: Callable) -> Callable:
        _NEXT_STEPS[code] = NextStepSource(code=code, title=title, build=func, order=order)
        return func

    return decorator


def registered_next_steps() -> list[NextStepSource]:
    return sorted(_NEXT_STEPS.values(), key=lambda s: (s.order, s.code))


# ---------------------------------------------------------------- charts (dashboard)


@dataclass
class ChartPoint:
    label: str  # category (x axis, pie slice) or, for heatmaps, the x label
    value: float
    url: str  # the records behind this point
    y: str = ""  # heatmaps: the y label (e.g. the branch)


@dataclass
class ChartSeries:
    name: str
    points: list[ChartPoint]


@dataclass
class Chart:
    title: str
    kind: str  # "bar", "stacked_bar", "pie", "line" or "heatmap"
    series: list[ChartSeries]
    unit: str = ""


@dataclass
class ChartSpec:
    code: str
    title: str
    area: str
    build: Callable  # (period, organization, user) -> Chart
    order: int = 100


_CHARTS: dict[str, ChartSpec] = {}


def register_chart(code: str, title: str, area: str, *, order: int = 100):
    """Register a dashboard chart; every point carries the url of its records."""

    def decorator(func: Callable) -> Callable:
        _CHARTS[code] = ChartSpec(code=code, title=title, area=area, build=func, order=order)
        return func

    return decorator


def registered_charts() -> list[ChartSpec]:
    return sorted(_CHARTS.values(), key=lambda c: (c.area, c.order, c.code))


def build_report(period: Period, organization, user=None) -> list[tuple[ReportSection, list[ReportParagraph]]]:
    return [(s, s.build(period, organization, user)) for s in registered_sections()]


# ---------------------------------------------------------------- a memo for one page or one report


# The dashboard's panels and the report build run many registrations for the same period and
# scope; an expensive computation they share (e.g. the organizational-life obligations of a whole
# subtree) is done once inside `memo_scope()` when each caller wraps it in `memoized(key, …)`
# with the same key, e.g. ("meetings.obligations", organization.pk, period.code, user pk).
# Outside a memo scope nothing is kept: each call computes.

_MEMO: contextvars.ContextVar[dict | None] = contextvars.ContextVar("stats_memo", default=None)


@contextlib.contextmanager
def memo_scope() -> Iterator[dict]:
    current = _MEMO.get()
    if current is not None:  # nested: share the outer memo
        yield current
        return
    token = _MEMO.set({})
    try:
        yield _MEMO.get()
    finally:
        _MEMO.reset(token)


def memoized(key: Hashable, compute: Callable[[], Any]) -> Any:
    memo = _MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
