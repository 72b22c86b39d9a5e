"""Links in messages that leave the site (e-mail, calendar files, chat). Sending them is
the outbox's (``people.outbox``)."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """A link for e-mails: the configured site address plus a path."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"
