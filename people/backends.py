"""Who may be signed in: the authentication backend behind every sign-in and session."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

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
