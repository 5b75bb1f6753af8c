"""One area's failing statistic, chart, alert or paragraph must not take the dashboard or the
report down with it: the failure is logged (with its traceback) and shown as such in its place.
Set REPORTS_RAISE_ERRORS = True (settings) to let the exceptions through while developing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import transaction

logger = logging.getLogger("reports")
T = TypeVar("T")


def guarded(what: str, func: Callable[[], T], default: T) -> T:
    """`func()`, or `default` if it raises. Inside a transaction the call runs in a savepoint, so
    that a failed query does not abort the caller's transaction (PostgreSQL)."""
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return func()
        return func()
    except Exception:
        if getattr(settings, "REPORTS_RAISE_ERRORS", False):
            raise
        logger.exception("驾驶舱/工作报告：%s 计算出错", what)
        return default


def log_error(code: str, exc: Exception) -> None:
    if getattr(settings, "REPORTS_RAISE_ERRORS", False):
        raise exc
    logger.error("驾驶舱/工作报告：%s 计算出错", code, exc_info=exc)
