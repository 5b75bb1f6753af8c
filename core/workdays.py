"""Working days following the official holiday calendar, including 调休 working weekends.

chinese-calendar ships the State Council's schedule year by year. For a year it does not know
yet, we fall back to Monday–Friday and say so (`calendar_known`), so deadlines never crash.
"""

from __future__ import annotations

import datetime

import chinese_calendar


def calendar_known(day: datetime.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
        return True
    except NotImplementedError:
        return False


def is_working_day(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date that is `days` working days after `start` (start itself not counted)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    remaining = days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]; negative if end is before start."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def compute_due(start: datetime.date, duration: int, mode: str) -> datetime.date:
    if mode == "working":
        return add_working_days(start, duration)
    return start + datetime.timedelta(days=duration)
