"""Thin Celery tasks for people: they take ids and call services.

Beat runs ``outbox_requeue`` and ``retention_sweep``, each from its own entry
(``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task
from django.utils import timezone

from pop_platform.retries import RETRY_BACKOFF, RetryingTask, lost_database_errors

from . import outbox, retention


class OutboxDelivery(RetryingTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # Every retry failed (or the error is not one to retry): not sent, and said so.
        outbox.outbox_give_up(message_id=args[0])


@shared_task(
    bind=True,
    base=OutboxDelivery,
    # The other server or the database is away, or another run is sending it right now.
    autoretry_for=(OSError, *lost_database_errors(), outbox.DeliveryInProgress),
    **RETRY_BACKOFF,
)
def outbox_deliver(self: OutboxDelivery, message_id: int) -> bool:
    return outbox.outbox_deliver(message_id=message_id)


@shared_task
def outbox_fan_out(message_ids: list[int]) -> None:
    """Queue the sending of many messages written at once (``outbox_send_many``)."""
    outbox.outbox_fan_out(message_ids=message_ids)


@shared_task
def outbox_requeue() -> int:
    """Queue again the messages whose task was lost (Redis down or restarted empty)."""
    return len(outbox.outbox_requeue(now=timezone.now()))


@shared_task
def retention_sweep() -> int:
    """Anonymise leavers past the retention period (once a day per organisation)."""
    return retention.retention_sweep(now=timezone.now())
