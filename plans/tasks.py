"""Thin Celery tasks for plans: they take ids and call services.

The ``error`` recorded on a failed export is a technical detail for support; the page
shows the person a translated message and a retry button.
"""

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from pop_platform.pdf import PdfError
from pop_platform.retries import lost_database_errors, retries_left, retry_later

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=services.PDF_SOFT_TIME_LIMIT,
    time_limit=services.PDF_TIME_LIMIT,
)
def plan_render_pdf(self: Task, export_id: int) -> None:
    try:
        services.plan_export_make(export_id=export_id)
    except PdfError as error:  # too many pages: trying again gives the same result
        services.plan_export_fail(export_id=export_id, error=str(error))
    except SoftTimeLimitExceeded:
        limit = services.PDF_SOFT_TIME_LIMIT
        services.plan_export_fail(export_id=export_id, error=f"Time limit of {limit} s reached.")
    except (OSError, *lost_database_errors(), services.PlanExportInProgress) as error:
        # Storage or database briefly unavailable, or another run busy with it (which may
        # still die): try again, a bounded number of times.
        if not retries_left(self):
            services.plan_export_fail(export_id=export_id, error=str(error))
            raise
        if isinstance(error, OSError):
            services.plan_export_release(export_id=export_id)
        retry_later(self, error)
    except Exception as error:
        # Recorded so the person sees "failed, try again" rather than a spinner; re-raised
        # so the worker logs it with its traceback.
        services.plan_export_fail(export_id=export_id, error=repr(error))
        raise

