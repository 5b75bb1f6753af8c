from django.db import migrations


def seed(apps, schema_editor):
    from core.rules import seed_rules

    seed_rules(apps.get_model("core", "Rule"))


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial"), ("core", "0003_seed_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
