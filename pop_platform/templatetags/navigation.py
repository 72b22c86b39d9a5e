"""The navigation bar, and which of its links is the current page (written once for
every menu)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from django import template
from django.http import HttpRequest
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from pop_platform.cache import fragment

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


@register.simple_tag(takes_context=True)
def navigation_bar(context) -> SafeString:
    """``_navigation.html``, kept in the shared cache under everything it shows: the
    person (name, staff), their roles and organisation, the unread count, the language and
    the page it marks as current. Signed out (or on an error page): rendered each time."""
    template = get_template("_navigation.html")
    request, navigation = context.get("request"), context.get("navigation")
    if request is None or navigation is None:  # signed out, or an error page
        return template.render(context.flatten())
    user, roles, unread = navigation.user, context["roles"], navigation.figures.unread
    plan = context.get("plan")
    own_plan = bool(plan and getattr(plan, "employee_id", None) == user.pk)
    match = request.resolver_match
    values = {
        "request": request, "user": user, "roles": roles,
        "unread_notifications": unread, "own_plan": own_plan,
    }  # fmt: skip
    parts = (
        user.pk, user.full_name, user.is_staff, user.organisation_id, roles.manager, roles.hr,
        unread, own_plan, get_language(), request.path, match.view_name if match else "",
    )  # fmt: skip
    return fragment(request, "navigation", parts, lambda extra: template.render(values | extra))
