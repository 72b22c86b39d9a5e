from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """The REST API, SCIM provisioning and HR's integration pages. It reads every app
    (the top of the import layers); no app imports it."""

    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from people import audit

        from .api.common import AUDIT_CALL
        from .services import AUDIT_CHAT, AUDIT_CLIENT, AUDIT_WEBHOOK

        # The summaries of these types are codes (an operation, a kind), never content.
        audit.register_object_type(AUDIT_CALL, _("API call"))
        audit.register_object_type(AUDIT_CLIENT, _("API client"))
        audit.register_object_type(AUDIT_WEBHOOK, _("webhook"))
        audit.register_object_type(AUDIT_CHAT, _("Teams or Slack channel"))
