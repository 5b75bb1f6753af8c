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


@dataclass
class ReportSection:
    code: str
    title: str  # e.g. "筑牢党建责任，夯实组织建设"
    order: int  # position among "一、主要工作" sections (the seed's order of areas)
    build: Callable  # (period, organization, user) -> list[ReportParagraph]
    area: str = ""


_SECTIONS: dict[str, ReportSection] = {}


def register_report_section(code: str, title: str, *, order: int = 100, area: str = ""):
    """Register a section of the periodic work report; areas added later appear by registering."""

    def decorator(func: Callable) -> Callable:
        _SECTIONS[code] = ReportSection(code=code, title=title, order=order, build=func, area=area)
        return func

    return decorator


def registered_sections() -> list[ReportSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.code))


def build_report(period: Period, organization, user=None) -> list[tuple[ReportSection, list[ReportParagraph]]]:
    return [(s, s.build(period, organization, user)) for s in registered_sections()]
