from django.db import migrations


def fill(apps, schema_editor):
    from supervision import summary

    summary.rebuild(apps.get_model("supervision", "Problem"), apps.get_model("supervision", "ProblemMonthSummary"))


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_problem_month_summary")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
