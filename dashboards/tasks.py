"""Thin Celery task: recompute stored alignment figures that have gone stale.

Viewing a stale snapshot enqueues it (``services.alignment_snapshot_get``); the page
meanwhile shows the stored figures with their age. No periodic beat entry: beat runs
one sweep, for reminders (DESIGN.md), and figures nobody looks at need no refreshing.
"""

from celery import shared_task

from . import services


@shared_task
def alignment_refresh(snapshot_id: int) -> bool:
    return services.alignment_snapshot_refresh_by_id(snapshot_id=snapshot_id)
