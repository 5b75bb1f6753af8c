"""`python manage.py rebuild_fulfilment`: derive the stored coverage of the 主体责任清单 again from the
evidence, meetings and liaison activities (duties.coverage) — after records were written without
their services (bulk generators, imports into the database, organizations moved)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from duties import coverage


class Command(BaseCommand):
    help = "重建主体责任清单落实情况（佐证、会议与联系活动覆盖的期间）"

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = coverage.rebuild()
        self.stdout.write(self.style.SUCCESS(f"完成：{rows} 行，用时 {time.monotonic() - started:.1f} 秒"))
