from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from pop_platform import bench
from pop_platform.health import healthz, healthz_live
from pop_platform.metrics import metrics

admin.site.site_header = _("POP Platform administration")
admin.site.site_title = _("POP Platform")

urlpatterns = [
    path("", include("dashboards.urls")),
    path("", include("people.urls")),
    path("accounts/", include("people.auth_urls")),
    path("goals/", include("goals.urls")),
    path("plans/", include("plans.urls")),
    path("", include("feedback.urls")),
    path("", include("conversations.urls")),
    path("", include("integrations.urls")),
    path("api/v1/", include("integrations.api.urls")),
    path("scim/v2/", include("integrations.scim.urls")),
    path("healthz", healthz, name="healthz"),
    path("healthz/live", healthz_live, name="healthz-live"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
]

# The database briefly unreachable: a 503 "temporarily unavailable" page (errors.py).
handler500 = "pop_platform.errors.server_error"
handler400 = "pop_platform.errors.bad_request"

if settings.BENCH_BASELINE:  # only for ``make bench``; see pop_platform/bench.py
    urlpatterns += [
        path("bench/baseline", bench.baseline, name="bench-baseline"),
        path("bench/hello", bench.hello, name="bench-hello"),
    ]
