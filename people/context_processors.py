from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, cached_property

from .access import roles_for
from .models import User
from .selectors import navigation_figures


class _Navigation:
    """What the navigation shows of the signed-in user, worked out the first time a
    template needs it."""

    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def figures(self):
        return navigation_figures(user=self.user)

    def roles(self):
        self.figures  # noqa: B018 - fills user.is_manager from the shared cache
        return roles_for(self.user)


def navigation(request: HttpRequest) -> dict:
    """Roles for the navigation and the unread count, computed only when a template asks."""
    user = getattr(request, "user", None)  # an error page can come before authentication
    if user is None or not user.is_authenticated:
        return {}
    nav = _Navigation(user)
    return {
        "navigation": nav,
        "roles": SimpleLazyObject(nav.roles),
        "unread_notifications": SimpleLazyObject(lambda: nav.figures.unread),
    }
