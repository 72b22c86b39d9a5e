"""The dashboards' entries in the audit trail (``people.audit``), registered in
``DashboardsConfig.ready()``. The dashboards own no personal data: their only rows are
aggregate snapshots."""

from django.utils.translation import gettext_lazy as _

from people import audit

DRILLDOWN = "alignment-drilldown"
CSV_EXPORT = "alignment-csv"


def register() -> None:
    audit.register_object_type(DRILLDOWN, _("names behind a dashboard figure"))
    audit.register_object_type(CSV_EXPORT, _("strategy dashboard (CSV)"))
