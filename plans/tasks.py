"""Thin Celery tasks for plans: they take ids and call services.

The ``error`` recorded on a failed export is a technical detail for support; the page
shows the person a translated message and a retry button.
"""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from pop_platform.pdf import PdfError
from pop_platform.retries import RETRY_BACKOFF, RetryingTask, lost_database_errors

from . import services


class PlanRender(RetryingTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # Recorded so the person sees "failed, try again" rather than a spinner; the worker
        # logs the error with its traceback.
        error = str(exc) if isinstance(exc, self.autoretry_for) else repr(exc)
        services.plan_export_fail(export_id=args[0], error=error)


@shared_task(
    bind=True,
    base=PlanRender,
    soft_time_limit=services.PDF_SOFT_TIME_LIMIT,
    time_limit=services.PDF_TIME_LIMIT,
    # Storage or database briefly unavailable, or another run busy with it (which may
    # still die): try again, a bounded number of times.
    autoretry_for=(OSError, *lost_database_errors(), services.PlanExportInProgress),
    **RETRY_BACKOFF,
)
def plan_render_pdf(self: PlanRender, export_id: int) -> None:
    try:
        services.plan_export_make(export_id=export_id)
    except PdfError as error:  # too many pages: trying again gives the same result
        services.plan_export_fail(export_id=export_id, error=str(error))
    except SoftTimeLimitExceeded:
        limit = services.PDF_SOFT_TIME_LIMIT
        services.plan_export_fail(export_id=export_id, error=f"Time limit of {limit} s reached.")
    except OSError:
        services.plan_export_release(export_id=export_id)  # for the retry to claim it
        raise


@shared_task
def plan_exports_fail_stale() -> int:
    """Beat: record as failed the exports whose render was lost (see the service)."""
    return services.plan_exports_fail_stale(now=timezone.now())


@shared_task
def plan_exports_expire() -> int:
    """Beat, hourly: delete the files of plan PDFs older than PDF_KEEP_DAYS (the row stays)."""
    return services.plan_exports_expire(now=timezone.now())
