from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        # The plan PDF shows the agreements of the last held conversation; plans may not
        # import this app, so this app hands plans the function that reads them.
        from plans.pdf import register_agreements_source

        from .report import last_held_agreements

        register_agreements_source(last_held_agreements)

        # This app's part of the personal data export, the retention job and the audit
        # trail (people may not import this app either).
        from .privacy import register

        register()

        # Reminders and invitations skipped when their reason went away before sending.
        from people.outbox import register_kinds

        from .messages import KINDS

        register_kinds(*KINDS)

        # A new line manager: the former one no longer holds the coming conversations.
        from people.services import register_manager_changed

        from .services import conversations_after_manager_change

        register_manager_changed(conversations_after_manager_change)
