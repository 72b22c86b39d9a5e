"""Thin Celery tasks for conversations: they take ids and call services."""

from celery import Task, shared_task
from django.utils import timezone

from people.retention import retention_sweep
from pop_platform.delivery import DeliveryInProgress
from pop_platform.retries import call_or_retry

from . import reminders


@shared_task
def reminders_sweep() -> int:
    """Beat runs this every few minutes: decide what is due and queue one task each.

    The one periodic task there is, so it also lets the people app's retention job run
    (which does its work once a day per organisation, whatever the number of sweeps).
    """
    now = timezone.now()
    queued = len(reminders.reminders_sweep(now=now))
    retention_sweep(now=now)
    return queued


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def reminder_send(self: Task, delivery_id: int) -> bool:
    return call_or_retry(
        self,
        lambda: reminders.reminder_deliver(delivery_id=delivery_id),
        retry_on=(OSError, DeliveryInProgress),
        give_up=lambda: reminders.reminder_give_up(delivery_id=delivery_id),
    )
