"""On PostgreSQL, the database itself refuses UPDATE and DELETE of audit events.

Whatever the code (a bug, a shell session, a bulk ``update()``), a row of
``people_auditevent`` can only be added. One deliberate way out remains: deleting a
whole organisation (``people.services.organisation_delete``) first sets the transaction
setting ``pop.audit_purge_organisation`` to that organisation's id; the trigger then
lets that organisation's rows, and only those, be deleted in that transaction.

SQLite has no such trigger; there the model's ``save()``/``delete()`` and its queryset
refuse changes.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION people_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('pop.audit_purge_organisation', true) = OLD.organisation_id::text
    THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Audit events are append-only: % of people_auditevent % refused.',
        TG_OP, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

CREATE TRIGGER people_auditevent_append_only
    BEFORE UPDATE OR DELETE ON people_auditevent
    FOR EACH ROW EXECUTE FUNCTION people_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS people_auditevent_append_only ON people_auditevent;
DROP FUNCTION IF EXISTS people_auditevent_append_only();
"""


class PostgreSQLOnlyRunSQL(migrations.RunSQL):
    """``RunSQL`` that does nothing on other databases (SQLite in local runs)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_audit_browser_and_anonymisation"),
    ]

    operations = [PostgreSQLOnlyRunSQL(sql=CREATE, reverse_sql=DROP)]
