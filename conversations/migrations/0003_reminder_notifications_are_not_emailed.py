"""A reminder's in-app copy is not e-mailed on its own (the reminder is e-mailed as
itself): mark the existing ones, as ``reminders._send`` now makes them."""

from django.db import migrations


def forwards(apps, schema_editor):
    Notification = apps.get_model("people", "Notification")
    ReminderDelivery = apps.get_model("conversations", "ReminderDelivery")
    copies = ReminderDelivery.objects.filter(notification__isnull=False).values("notification_id")
    Notification.objects.filter(pk__in=copies).update(email_wanted=False)


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0002_reminder_delivery_attempted_at"),
        ("people", "0006_notification_email_wanted"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
