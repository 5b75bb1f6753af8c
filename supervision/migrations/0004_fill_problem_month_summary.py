from django.db import migrations

# The summary used to be filled here; 0007 (which adds the year rows) fills it with the complete
# schema. Filling it here ran today's supervision.summary against a table that did not have the
# later columns yet and failed on a database that already held problems.


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_problem_month_summary")]

    operations = []
