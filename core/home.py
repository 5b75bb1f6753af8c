"""What is due for a user: each app registers a provider; the home page (工作台) merges them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class DueItem:
    title: str
    due_on: datetime.date | None
    urgency: str  # "overdue" | "due" | "ok" | "info"
    url: str
    action_label: str = "办理"
    category: str = ""
    detail: str = ""

    @property
    def urgency_label(self) -> str:
        return {"overdue": "已逾期", "due": "临期", "ok": "进行中", "info": "提示"}.get(self.urgency, "")

    @property
    def sort_key(self):
        rank = {"overdue": 0, "due": 1, "info": 2, "ok": 3}.get(self.urgency, 4)
        return (rank, self.due_on or datetime.date.max, self.title)


_PROVIDERS: list[Callable] = []


def register_due_provider(func: Callable) -> Callable:
    if func not in _PROVIDERS:
        _PROVIDERS.append(func)
    return func


def due_items_for(user, today: datetime.date | None = None) -> list[DueItem]:
    items: list[DueItem] = []
    for provider in _PROVIDERS:
        items.extend(provider(user, today))
    return sorted(items, key=lambda i: i.sort_key)
