"""Rules of the supervision area (rows of core.Rule, seeded by this app's data migration)."""

from __future__ import annotations

from typing import Any

SOURCE = "本平台默认"

# (code, name, category, value, unit, description, source) — see core.rules.DEFAULT_RULES.
DEFAULT_RULES: list[tuple[str, str, str, Any, str, str, str]] = [
    (
        "supervision.deadline_days",
        "问题整改默认时限",
        "问题整改",
        30,
        "天",
        "登记问题时未填写整改时限的，默认自发现之日起若干自然日内整改到位",
        SOURCE,
    ),
    (
        "supervision.escalation_reply_working_days",
        "督办单反馈时限",
        "问题整改",
        5,
        "工作日",
        "收到督办单后应在规定工作日内书面反馈整改情况",
        SOURCE,
    ),
]
