"""Thin Celery tasks for people: they take ids and call services."""

from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def notification_send_email(notification_id: int) -> bool:
    return services.notification_email(notification_id=notification_id)
