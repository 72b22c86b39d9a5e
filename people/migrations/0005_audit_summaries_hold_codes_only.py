"""Audit events hold references, never content: rewrite older summaries that did.

Before the audit trail had codes, goal events kept the goal's title in ``summary`` (a
check-in: the title; an approval or return: "Approved: <title>"), and HR's plan reads the
page's path. A goal's title can be private, and the trail is append-only, so the
retention job can never clear it later: goal summaries that are not one of today's codes
are emptied, plan paths become "page". On PostgreSQL the append-only trigger is switched
off for this one transaction. App code is not imported (data migration rules): the codes
are written out here.
"""

from django.db import migrations

GOAL_CODES = ("edit", "approve", "return", "check-in", "assign")


def forwards(apps, schema_editor):
    events = apps.get_model("people", "AuditEvent")._base_manager
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(
            "ALTER TABLE people_auditevent DISABLE TRIGGER people_auditevent_append_only"
        )
    # The model's queryset refuses update(); the plain one of this historical model does not.
    events.filter(object_type="goal").exclude(summary__in=("", *GOAL_CODES)).update(summary="")
    events.filter(object_type="development_plan", summary__startswith="/").update(summary="page")
    if postgresql:
        schema_editor.execute(
            "ALTER TABLE people_auditevent ENABLE TRIGGER people_auditevent_append_only"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_auditevent_append_only_trigger"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
