"""System checks about the machine and the configuration, each said in one line.

``manage.py check`` (and every command that runs checks) prints them; the web server and
the workers log the production warnings when they start (:func:`warn_at_start`).
"""

from __future__ import annotations

import contextlib
import io
import logging

from django.conf import settings
from django.core import checks

logger = logging.getLogger("pop_platform")

PANGO_HINT = (
    "PDFs cannot be made: WeasyPrint needs Pango "
    "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0)."
)
CONSOLE_EMAIL_HINT = (
    "EMAIL_URL is not set: e-mail is printed on the console, not sent. "
    "Set EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.nl:587)."
)


def pango_missing() -> bool:
    """Whether WeasyPrint cannot load its system libraries (Pango and friends). Its own
    several-line banner about it is kept out of the output: the check says it in one."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import weasyprint  # noqa: F401
    except OSError:
        return True
    return False


@checks.register()
def pango_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if pango_missing():
        return [checks.Warning(PANGO_HINT, id="pop_platform.W001")]
    return []


def console_email_in_production() -> bool:
    return not settings.DEBUG and settings.EMAIL_BACKEND.endswith(".console.EmailBackend")


@checks.register(checks.Tags.compatibility, deploy=True)
def email_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if console_email_in_production():
        return [checks.Warning(CONSOLE_EMAIL_HINT, id="pop_platform.W002")]
    return []


def warn_at_start() -> None:
    """Log the production warnings once per process start (gunicorn, Celery)."""
    if console_email_in_production():
        logger.warning(CONSOLE_EMAIL_HINT)
