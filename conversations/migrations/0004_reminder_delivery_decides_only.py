"""A reminder's delivery record moves to the outbox (``people.OutgoingMessage``): the row
keeps what makes a reminder once (kind, recipient, object, due slot)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0003_reminder_notifications_are_not_emailed"),
        ("people", "0009_outbox_drops_stored_text"),
    ]

    operations = [
        migrations.RemoveField(model_name="reminderdelivery", name="attempts"),
        migrations.RemoveField(model_name="reminderdelivery", name="attempted_at"),
        migrations.RemoveField(model_name="reminderdelivery", name="sent_at"),
        migrations.RemoveField(model_name="reminderdelivery", name="skipped"),
        migrations.RemoveField(model_name="reminderdelivery", name="last_error"),
        migrations.RemoveField(model_name="reminderdelivery", name="failed_at"),
        migrations.RemoveField(model_name="reminderdelivery", name="notification"),
        # Invitations and cancellations go to the outbox directly (no due slot to dedupe).
        migrations.AlterField(
            model_name="reminderdelivery",
            name="kind",
            field=models.CharField(
                choices=[
                    ("upcoming", "conversation upcoming"),
                    ("preparation", "preparation missing"),
                    ("notes_missing", "notes or agreements missing"),
                    ("cadence_overdue", "conversation overdue under the policy"),
                    ("action_due", "development action due"),
                    ("action_overdue", "development action overdue"),
                    ("goal_due", "goal due"),
                    ("digest", "weekly digest for managers"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
    ]
