"""Thin Celery tasks for conversations: they take ids and call services."""

from celery import shared_task
from django.utils import timezone

from . import reminders


@shared_task
def reminders_sweep() -> int:
    """Beat runs this every few minutes: decide which reminders are due and queue their
    messages in the outbox (which sends them, and picks up the ones whose task was lost)."""
    return len(reminders.reminders_sweep(now=timezone.now()))
