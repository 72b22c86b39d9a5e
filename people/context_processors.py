from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .access import roles_for
from .selectors import unread_count


def navigation(request: HttpRequest) -> dict:
    """Roles for the navigation and the unread count, computed only when a template asks."""
    user = getattr(request, "user", None)  # an error page can come before authentication
    if user is None or not user.is_authenticated:
        return {}
    return {
        "roles": SimpleLazyObject(lambda: roles_for(user)),
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user=user)),
    }
