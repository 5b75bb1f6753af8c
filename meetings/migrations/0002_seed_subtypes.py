from django.db import migrations

BUILTIN = [
    ("party_building", "党建工作", "党建工作专题会"),
    ("integrity", "党风廉政建设", "党风廉政专题会议"),
    ("ideology", "意识形态", "意识形态专题会议"),
    ("online_ideology", "网络意识形态", "网络意识形态专题会议"),
    ("rectification", "问题整改", "问题整改专题会议"),
]


def seed(apps, schema_editor):
    TopicSubtype = apps.get_model("meetings", "TopicSubtype")
    for i, (code, name, report_name) in enumerate(BUILTIN):
        TopicSubtype.objects.get_or_create(
            code=code, defaults={"name": name, "report_name": report_name, "is_builtin": True, "sort_order": i}
        )


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
