from django.db import migrations, models


def drop_built_years(apps, schema_editor):
    # Derived rows: dropped here and rebuilt (with org_path) by meetings.obligation_store on next use.
    apps.get_model("meetings", "ObligationRecord").objects.all().delete()
    apps.get_model("meetings", "ObligationYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0004_obligation_store"),
    ]

    operations = [
        migrations.RunPython(drop_built_years, migrations.RunPython.noop),
        migrations.AddField(
            model_name="obligationrecord",
            name="org_path",
            field=models.CharField(default="", max_length=255, verbose_name="组织路径"),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="obligationrecord",
            index=models.Index(
                fields=["org_path", "period_start"],
                name="obligation_record_scope_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ),
    ]
