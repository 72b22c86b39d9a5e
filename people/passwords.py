"""Password rules: Django's validators, with messages that read naturally in Dutch."""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's check, whose Dutch message says "lijkt te veel op de e-mailadres"."""

    def get_error_message(self) -> str:
        return _("The password is too similar to your %(verbose_name)s.")
