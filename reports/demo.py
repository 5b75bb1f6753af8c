"""Demo data: the bureau's 2022上半年 work report, drafted from the demo's records (the seed report
reproduced by the platform), so that the demo opens with a saved report to read, edit and export."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from core.periods import Period

DEMO_PERIOD = "2022H1"


def build(*, orgs: dict, today: datetime.date, log: Callable[[str], None] = lambda _m: None, **_context) -> int:
    from reports.services import draft_generate

    draft = draft_generate(actor=None, organization=orgs["root"], period=Period.parse(DEMO_PERIOD))
    figures = sum(len(b.get("figures", {})) for b in draft.content["blocks"])
    log(f"工作报告：《{draft.title}》（{figures}个数字链接到记录）")
    return 1
