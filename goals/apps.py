from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = _("Goals")

    def ready(self) -> None:
        # Goals' part of the personal data export, the retention job and the audit trail.
        from .privacy import register

        register()
