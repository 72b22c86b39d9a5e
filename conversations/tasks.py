"""Thin Celery tasks for conversations: they take ids and call services."""

from celery import shared_task
from django.utils import timezone

from feedback.reminders import feedback_reminders_sweep

from . import reminders


@shared_task
def reminders_sweep() -> int:
    """Beat runs this every few minutes: decide which reminders are due and queue their
    messages in the outbox (which sends them, and picks up the ones whose task was lost).
    The one sweep also decides the reminders of the feedback app."""
    now = timezone.now()
    return len(reminders.reminders_sweep(now=now)) + feedback_reminders_sweep(now=now)
