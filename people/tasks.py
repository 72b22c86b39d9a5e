"""Thin Celery tasks for people: they take ids and call services."""

from celery import Task, shared_task

from pop_platform.retries import retries_left, retry_later

from . import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def notification_send_email(self: Task, notification_id: int) -> bool:
    try:
        return services.notification_email(notification_id=notification_id)
    except OSError as error:  # the mail server is down or refused: retry, then give up
        if not retries_left(self):
            services.notification_email_give_up(notification_id=notification_id)
            raise
        retry_later(self, error)
