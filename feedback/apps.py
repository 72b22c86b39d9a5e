from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        # This app's part of the personal data export, the retention job and the audit
        # trail, and the compliments' part (people may not import this app).
        from . import recognition_privacy
        from .privacy import register

        register()
        recognition_privacy.register()
