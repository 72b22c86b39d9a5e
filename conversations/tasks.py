"""Thin Celery tasks for conversations: they take ids and call services."""

import datetime

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from people.invitations import invitation_emails_requeue
from people.retention import retention_sweep
from pop_platform.delivery import DeliveryInProgress
from pop_platform.retries import call_or_retry, lost_database_errors

from . import reminders


@shared_task
def reminders_sweep() -> int:
    """Beat runs this every few minutes: decide which reminders are due and queue one
    task each, then pick up the work whose task was lost (``lost_work_requeue``).

    The one periodic task there is, so it also lets the people app's retention job run
    (which does its work once a day per organisation, whatever the number of sweeps).
    """
    now = timezone.now()
    created = reminders.reminders_sweep(now=now)
    reminders.lost_work_requeue(now=now)
    invitation_emails_requeue(
        now=now, since=now - datetime.timedelta(days=settings.INVITATION_VALID_DAYS)
    )
    retention_sweep(now=now)
    return len(created)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def reminder_send(self: Task, delivery_id: int) -> bool:
    return call_or_retry(
        self,
        lambda: reminders.reminder_deliver(delivery_id=delivery_id),
        retry_on=(OSError, *lost_database_errors(), DeliveryInProgress),
        give_up=lambda: reminders.reminder_give_up(delivery_id=delivery_id),
    )
