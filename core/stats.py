"""Registry of statistics for the work report and the dashboard.

Each app registers functions `(period, organization, user) -> StatValue`. A StatValue carries the
link to the filtered list of the records behind it; that list's total must equal the value.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from core.periods import Period


@dataclass
class StatValue:
    value: int | float
    url: str
    unit: str = "个"


@dataclass
class Statistic:
    code: str
    label: str
    area: str
    compute: Callable
    order: int = 100
    home: bool = False  # also shown as a figure on the home page
    unit: str = ""


_STATS: dict[str, Statistic] = {}


def register_statistic(code: str, label: str, area: str, *, order: int = 100, home: bool = False, unit: str = ""):
    def decorator(func: Callable) -> Callable:
        _STATS[code] = Statistic(code=code, label=label, area=area, compute=func, order=order, home=home, unit=unit)
        return func

    return decorator


def registered_statistics() -> list[Statistic]:
    return sorted(_STATS.values(), key=lambda s: (s.area, s.order, s.code))


def get_statistic(code: str) -> Statistic:
    return _STATS[code]


def compute_all(period: Period, organization, user=None) -> list[tuple[Statistic, StatValue]]:
    return [(s, s.compute(period, organization, user)) for s in registered_statistics()]


def home_figures(user, today: datetime.date) -> list[tuple[Statistic, StatValue]]:
    from core.scope import READ_ROLES, Scope

    scope = Scope.of(user)
    if not scope.has_role(*READ_ROLES):
        return []  # figures link to ledgers; a member sees their own record instead
    org = scope.home_organization
    if org is None:
        return []
    period = Period.containing("year", today)
    return [(s, s.compute(period, org, user)) for s in registered_statistics() if s.home]


# ---------------------------------------------------------------- report sections


@dataclass
class ReportParagraph:
    """A paragraph of the work report: text with figures, each figure linking to its records.

    `text` uses `{code}` placeholders for the statistics named in `figures`, so the same paragraph
    renders as plain text (Word) or with links (screen)."""

    text: str
    figures: dict[str, StatValue]

    def plain(self) -> str:
        return self.text.format(**{k: _fmt(v.value) for k, v in self.figures.items()})


def _fmt(value) -> str:
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


def collect_alerts(period: Period, organization, user=None) -> list[Alert]:
    alerts: list[Alert] = []
    for code in sorted(_ALERTS):
        alerts.extend(_ALERTS[code](period, organization, user))
    return alerts


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
