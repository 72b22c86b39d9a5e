"""Thin Celery tasks: keep the cached alignment figures fresh."""

from celery import shared_task

from . import services


@shared_task
def alignment_refresh(snapshot_id: int) -> bool:
    return services.alignment_snapshot_refresh_by_id(snapshot_id=snapshot_id)


@shared_task
def alignment_refresh_sweep() -> int:
    """Periodic (beat): one small task per stale snapshot that people still look at."""
    due = services.alignment_snapshots_due()
    for snapshot_id in due:
        alignment_refresh.delay_on_commit(snapshot_id)
    return len(due)
