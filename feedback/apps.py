from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        # Compliments' part of the personal data export and the retention job (people may
        # not import this app, so this app hands people its pieces).
        from .recognition_privacy import register

        register()
