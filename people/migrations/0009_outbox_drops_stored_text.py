"""The outbox, step 3 of 3: the stored texts and the old e-mail fields go; ``Notification``
is the in-app channel's view of the outbox."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0008_notifications_hold_kinds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(model_name="outgoingmessage", name="title"),
        migrations.RemoveField(model_name="outgoingmessage", name="body"),
        migrations.RemoveField(model_name="outgoingmessage", name="emailed_at"),
        migrations.RemoveField(model_name="outgoingmessage", name="email_wanted"),
        migrations.RemoveField(model_name="outgoingmessage", name="updated_at"),
        migrations.AlterField(
            model_name="outgoingmessage",
            name="recipient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="outgoing_messages",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recipient",
            ),
        ),
        migrations.AlterField(
            model_name="outgoingmessage",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AlterField(
            model_name="outgoingmessage",
            name="last_error",
            field=models.TextField(blank=True, verbose_name="last error"),
        ),
        migrations.AlterField(
            model_name="outgoingmessage",
            name="failed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Set when every retry failed; the message was not sent.",
                null=True,
                verbose_name="given up at",
            ),
        ),
        migrations.AlterModelOptions(
            name="outgoingmessage",
            options={
                "ordering": ["-created_at", "-id"],
                "verbose_name": "outgoing message",
                "verbose_name_plural": "outgoing messages",
            },
        ),
        migrations.AddIndex(
            model_name="outgoingmessage",
            index=models.Index(fields=["recipient", "channel", "read_at"], name="message_unread"),
        ),
        migrations.AddIndex(
            model_name="outgoingmessage",
            index=models.Index(
                condition=models.Q(failed_at__isnull=True, sent_at__isnull=True),
                fields=["created_at"],
                name="message_awaiting_delivery",
            ),
        ),
        migrations.CreateModel(
            name="Notification",
            fields=[],
            options={
                "verbose_name": "notification",
                "verbose_name_plural": "notifications",
                "ordering": ["-created_at", "-id"],
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("people.outgoingmessage",),
        ),
    ]
