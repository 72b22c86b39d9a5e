"""Sending e-mail in the recipient's language, plain text with an HTML alternative."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path: str) -> str:
    """A link for e-mails: the configured site address plus a path."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def send_templated_email(
    *,
    to: Sequence[str],
    template: str,
    context: Mapping[str, object],
    language: str,
    attachments: Sequence[tuple[str, bytes | str, str] | MIMEBase] = (),
) -> None:
    """Render ``<template>_subject.txt``, ``.txt`` and ``.html`` in ``language`` and send.

    An attachment is ``(filename, content, mimetype)`` or a ready MIME part (for content
    types with parameters, such as ``text/calendar; method=REQUEST``).

    Raises whatever the mail backend raises, so a task can retry.
    """
    with translation.override(language):
        full_context = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"{template}_subject.txt", full_context).strip()
        text = render_to_string(f"{template}.txt", full_context)
        html = render_to_string(f"{template}.html", full_context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.splitlines()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        if isinstance(attachment, MIMEBase):
            message.attach(attachment)
        else:
            message.attach(*attachment)
    message.send(fail_silently=False)
