"""The outbox, step 1 of 3: ``Notification`` becomes ``OutgoingMessage`` (one row per
delivery, per channel) with a kind's parameters, a channel and an attachment."""

import django.utils.timezone
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_notification_email_wanted"),
        # That migration marks reminders' in-app copies on the old model: it runs first.
        ("conversations", "0003_reminder_notifications_are_not_emailed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="notification", name="notification_unread"),
        migrations.RenameModel("Notification", "OutgoingMessage"),
        migrations.RenameField("outgoingmessage", "email_attempts", "attempts"),
        migrations.RenameField("outgoingmessage", "email_error", "last_error"),
        migrations.RenameField("outgoingmessage", "email_failed_at", "failed_at"),
        migrations.AddField(
            model_name="outgoingmessage",
            name="channel",
            field=models.CharField(
                choices=[("in_app", "in-app"), ("email", "e-mail")],
                default="in_app",
                max_length=20,
                verbose_name="channel",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="outgoingmessage",
            name="context",
            field=models.JSONField(
                blank=True, default=dict, encoder=DjangoJSONEncoder, verbose_name="parameters"
            ),
        ),
        migrations.AddField(
            model_name="outgoingmessage",
            name="attachment_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="attachment"),
        ),
        migrations.AddField(
            model_name="outgoingmessage",
            name="attachment_type",
            field=models.CharField(blank=True, max_length=100, verbose_name="attachment type"),
        ),
        migrations.AddField(
            model_name="outgoingmessage",
            name="attachment",
            field=models.TextField(blank=True, verbose_name="attachment content"),
        ),
        migrations.AddField(
            model_name="outgoingmessage",
            name="attempted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last attempt at"),
        ),
        migrations.AddField(
            model_name="outgoingmessage",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
        ),
        migrations.AddField(
            model_name="outgoingmessage",
            name="skipped",
            field=models.BooleanField(
                default=False,
                help_text="The reason went away before sending.",
                verbose_name="no longer needed",
            ),
        ),
        migrations.AlterField(
            model_name="outgoingmessage",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="decided at"
            ),
        ),
    ]
