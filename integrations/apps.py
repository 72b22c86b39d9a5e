from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """The REST API, SCIM provisioning and HR's integration pages. It reads every app
    (the top of the import layers); no app imports it."""

    name = "integrations"
    verbose_name = _("Integrations")
