"""Fresh planner statistics after a bulk write (PostgreSQL).

PostgreSQL's autovacuum analyses a table some time after it grew; a query that runs in the same
job right after thousands of rows were written in bulk is planned on the old statistics (e.g. an
anti-join against a table believed empty becomes a nested loop over every pair). Bulk writers
call analyze() on what they wrote. ANALYZE may run inside a transaction; other databases need
nothing here.
"""

from __future__ import annotations

from django.db import connection


def analyze(*models, vacuum: bool = False) -> None:
    """ANALYZE (or, with `vacuum`, VACUUM ANALYZE — outside a transaction only, so that index-only
    scans see a current visibility map) the tables of `models`."""
    if connection.vendor != "postgresql" or (vacuum and connection.in_atomic_block):
        return
    verb = "VACUUM ANALYZE" if vacuum else "ANALYZE"
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"{verb} {connection.ops.quote_name(model._meta.db_table)}")
