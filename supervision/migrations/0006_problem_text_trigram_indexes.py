"""Trigram indexes (pg_trgm) for the ledger's free-text search, on PostgreSQL only.

The search (supervision.selectors.text_q) is `col LIKE '%q%'` for text without Latin letters and
`col ILIKE '%q%'` with them; a GIN gin_trgm_ops index on the column serves both for a query of
three characters or more (shorter ones have no trigram and are scanned). Creating the extension
needs a role allowed to (superuser, or pg_trgm on the server's trusted list — it is trusted since
PostgreSQL 13, so the database owner may create it); on a server where it is not allowed, create
it once as an administrator (`CREATE EXTENSION pg_trgm;` in the database) before migrating.
"""

from django.db import migrations

COLUMNS = ("description", "measures", "source_note")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS problem_{column}_trgm_idx "
            f"ON supervision_problem USING gin ({column} gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS problem_{column}_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("supervision", "0005_covering_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
