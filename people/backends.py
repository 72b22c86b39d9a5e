"""Who may be signed in: the authentication backend behind every sign-in and session."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .access import user_cached
from .models import User


class PersonBackend(ModelBackend):
    """Django's model backend, for people who still work here.

    Django asks ``user_can_authenticate`` at sign-in and, through ``get_user``, on every
    request of a session. So a person made inactive (in the admin, by the import, by the
    retention job) or whose end date has passed cannot sign in, and their open sessions
    stop working on their very next request: no job has to find and end them.
    """

    def user_can_authenticate(self, user: User) -> bool:
        return super().user_can_authenticate(user) and not user.has_left

    def get_user(self, user_id):
        """The person of a session, from the shared cache (``people.access.user_cached``):
        a save of the person (made inactive, a new password) shows on their next request."""
        user = user_cached(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        from .sso import passwords_allowed_for

        # An organisation that signs in only through its own provider: no passwords.
        return user if passwords_allowed_for(user) else None


class SingleSignOnBackend(PersonBackend):
    """The backend of sessions begun at the organisation's provider (``people.sso``): the
    same checks on every request; it never accepts a password."""

    def authenticate(self, request, **credentials):
        return None
