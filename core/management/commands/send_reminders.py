"""Daily job: reminders for tracked items (临期、逾期), 督办 escalation, 换届 reminders.

Idempotent: run it as often as you like (cron, systemd timer); each reminder is sent once.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.reminders import send_all


class Command(BaseCommand):
    help = "发送临期、逾期提醒，逾期督办和换届提醒（可重复运行，每条提醒只发送一次）"

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
        self.stdout.write(f"按 {day:%Y-%m-%d} 检查跟踪事项和换届情况……")
        summary = send_all(day, log=lambda line: self.stdout.write("  " + line))
        self.stdout.write(self.style.SUCCESS(str(summary)))
