from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        # The dashboards' entries in the audit trail (drill-downs and CSV exports).
        from .privacy import register

        register()
