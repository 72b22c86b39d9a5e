"""Template helpers for the plan page."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def url_if_available(name: str, **kwargs: object) -> str:
    """The URL when another app provides it, else "" (the plan page shows upcoming
    conversations only once the conversations app serves its fragment)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


@register.filter
def item_label(item, spec) -> str:
    """What the page calls a plan item ("Digitale vaardigheden", an action's title)."""
    return spec.label_of(item)


@register.filter
def goal_shown_on(goal, page) -> bool:
    """Whether the plan page may name this linked goal to its viewer (``PlanPage``)."""
    return bool(page) and page.shows_goal(goal)


@register.filter
def views_of(page, gap):
    """The employee's and the manager's views on a gap's current level (``PlanPage``)."""
    return page.views_of(gap)
