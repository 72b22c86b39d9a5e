"""The figures' rows changed (issue 16: small groups are folded together instead of being
shown as "< 5"); snapshots are a cache, so the old ones are dropped and recomputed when
someone next looks."""

from django.db import migrations


def drop_snapshots(apps, schema_editor):
    apps.get_model("dashboards", "AlignmentSnapshot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0001_alignment_snapshot")]

    operations = [migrations.RunPython(drop_snapshots, migrations.RunPython.noop)]
