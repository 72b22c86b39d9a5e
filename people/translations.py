"""Django's own messages that reach people but have no Dutch translation upstream.

Django 5.2 reworded them, and its Dutch catalogue still has the old wording. Marking
them here keeps them in ``locale/nl`` (``make messages``), which Django reads first.
"""

from django.utils.translation import ngettext_lazy

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)
