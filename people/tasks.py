"""Thin Celery tasks for people: they take ids and call services."""

from celery import Task, shared_task

from pop_platform.retries import call_or_retry, lost_database_errors

from . import invitations, services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def notification_send_email(self: Task, notification_id: int) -> bool:
    # The mail server or the database is down, or another run is sending it right now:
    # try again later, and after the last retry mark it as not e-mailed.
    return call_or_retry(
        self,
        lambda: services.notification_email(notification_id=notification_id),
        retry_on=(OSError, *lost_database_errors(), services.NotificationEmailInProgress),
        give_up=lambda: services.notification_email_give_up(notification_id=notification_id),
    )


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def invitation_send_email(self: Task, invitation_id: int) -> bool:
    # One invitation row's e-mail, at least once and only once (people.invitations).
    return call_or_retry(
        self,
        lambda: invitations.invitation_email(invitation_id=invitation_id),
        retry_on=(OSError, *lost_database_errors(), invitations.InvitationEmailInProgress),
        give_up=lambda: invitations.invitation_email_give_up(invitation_id=invitation_id),
    )
