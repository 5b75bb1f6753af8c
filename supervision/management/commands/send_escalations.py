"""`python manage.py send_escalations [--today YYYY-MM-DD]`: the rectification ledger's reminders
and 督办单 on their own (send_reminders runs them too, with everything else)."""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from supervision.reminders import STAGE_WORDS, send_problem_reminders


class Command(BaseCommand):
    help = "问题整改台账的临期、逾期提醒和督办单（可重复运行，每个问题每个阶段只发一次，督办单只发一次）"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按指定日期计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, today=None, **options):
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"日期格式不正确：{today}，应为 YYYY-MM-DD") from None
        else:
            day = timezone.localdate()
        self.stdout.write(f"按 {day:%Y-%m-%d} 检查未销号的整改问题……")
        start = time.perf_counter()
        counts = send_problem_reminders(day, log=lambda line: self.stdout.write("  " + line))
        seconds = time.perf_counter() - start
        parts = "，".join(f"{STAGE_WORDS[k]} {v}" for k, v in counts.items())
        self.stdout.write(self.style.SUCCESS(f"完成（{parts}），用时 {seconds:.1f} 秒"))
