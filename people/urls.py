from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path(
        "notifications/<uuid:notification_uuid>/read/",
        views.notification_read,
        name="notification-read",
    ),
    path("accounts/language/", views.set_language, name="set-language"),
    path("organisation/settings/", views.organisation_settings, name="organisation-settings"),
    path("organisation/audit/", views.audit_log, name="audit-log"),
    path("profile/", views.profile, name="profile"),
    path("profile/my-data.json", views.personal_data_json, name="personal-data-json"),
    path("profile/my-data.pdf", views.personal_data_pdf, name="personal-data-pdf"),
]
