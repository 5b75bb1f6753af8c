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
    from core.scope import Scope

    org = Scope.of(user).home_organization
    if org is None:
        return []
    period = Period.containing("year", today)
    return [(s, s.compute(period, org, user)) for s in registered_statistics() if s.home]
