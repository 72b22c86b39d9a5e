from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = _("Goals")

    def ready(self) -> None:
        # Goals' part of the personal data export, the retention job and the audit trail.
        from people.models import Topic
        from people.outbox import MessageKind, register_kinds

        from .privacy import register

        register()
        register_kinds(
            *(
                MessageKind(code, topic=Topic.APPROVALS)
                for code in ("goal_proposed", "goal_approved", "goal_returned", "goal_assigned")
            )
        )
