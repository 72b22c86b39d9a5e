from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Development plans")

    def ready(self) -> None:
        # Plans' part of the personal data export, the retention job and the audit trail
        # (people may not import this app, so this app hands people its pieces).
        from people.models import Topic
        from people.outbox import MessageKind, register_kinds

        from .privacy import register

        register()
        register_kinds(MessageKind("plan_agreement", topic=Topic.AGREEMENTS))
