"""Fill the person columns copied onto PointScore, give every person a row in each year that
already has sums (zero sums: a person without a row had no effective entries that year) and
mark those years as scored. Plain SQL on the historical tables (UPDATE … FROM: PostgreSQL, and
SQLite from 3.33)."""

from django.db import migrations

COPY = [
    "organization_id",
    "org_path",
    "department_id",
    "party_status",
    "deleted_at",
    "name",
    "name_pinyin",
    "name_initials",
]


def fill(apps, schema_editor):
    PointScore = apps.get_model("points", "PointScore")
    PointScoreYear = apps.get_model("points", "PointScoreYear")
    Person = apps.get_model("orgs", "Person")
    qn = schema_editor.connection.ops.quote_name
    table, people = qn(PointScore._meta.db_table), qn(Person._meta.db_table)
    years = sorted(set(PointScore.objects.values_list("year", flat=True).distinct()))
    if not years:
        return
    with schema_editor.connection.cursor() as cursor:
        sets = ", ".join(f"{qn(c)} = p.{qn(c)}" for c in COPY)
        cursor.execute(f"UPDATE {table} SET {sets} FROM {people} p WHERE p.id = {table}.{qn('person_id')}")  # noqa: S608
        targets = ", ".join(qn(c) for c in ["person_id", "year", "q1", "q2", "q3", "q4", "total", "entries", *COPY])
        select = ", ".join(["p.id", "%s", "0", "0", "0", "0", "0", "0", *[f"p.{qn(c)}" for c in COPY]])
        for year in years:
            cursor.execute(
                f"INSERT INTO {table} ({targets}) SELECT {select} FROM {people} p "  # noqa: S608
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} s WHERE s.{qn('person_id')} = p.id AND s.{qn('year')} = %s)",
                [year, year],
            )
    PointScoreYear.objects.bulk_create([PointScoreYear(year=y) for y in years], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0003_pointscore_people"),
        ("orgs", "0003_person_org_path"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
