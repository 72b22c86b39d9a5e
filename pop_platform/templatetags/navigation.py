"""Which navigation link is the current page: written once for every menu."""

from __future__ import annotations

from fnmatch import fnmatchcase

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


def is_current(request: HttpRequest, patterns: tuple[str, ...]) -> bool:
    """A pattern is a view name, with ``*`` for any part (``goals:*``, ``people:person-*``),
    or a path prefix (``/organisation/``); ``!`` before one leaves those pages out."""
    match = request.resolver_match
    view = match.view_name if match else ""

    def hits(pattern: str) -> bool:
        return request.path.startswith(pattern) if pattern[0] == "/" else fnmatchcase(view, pattern)

    wanted = [p for p in patterns if not p.startswith("!")]
    unwanted = [p[1:] for p in patterns if p.startswith("!")]
    return any(map(hits, wanted)) and not any(map(hits, unwanted))


@register.simple_tag(takes_context=True)
def nav_class(context, css: str, *patterns: str, page: bool = True) -> str:
    """``class="<css>"``, with ``active`` (and ``aria-current="page"`` unless ``page`` is
    False: a menu that holds the current page) on the current page's link."""
    if not is_current(context["request"], patterns):
        return format_html('class="{}"', css)
    if not page:
        return format_html('class="{} active"', css)
    return format_html('class="{} active" aria-current="page"', css)


@register.simple_tag(takes_context=True)
def nav_link(context, css: str, url_name: str, label: str, *patterns: str) -> str:
    """A link to ``url_name``, current on that page and on ``patterns``' pages."""
    attributes = nav_class(context, css, url_name, *patterns)
    return format_html('<a {} href="{}">{}</a>', attributes, reverse(url_name), label)
