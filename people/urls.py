from django.urls import path

from . import hr_views, views

app_name = "people"

PERSON = "organisation/people/<uuid:person_uuid>/"
UNIT = "organisation/units/<uuid:unit_uuid>/"

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
    path("organisation/sign-in/", hr_views.sign_in_settings, name="sign-in-settings"),
    path("organisation/people/", hr_views.person_list, name="person-list"),
    path("organisation/people/new/", hr_views.person_add, name="person-add"),
    path("organisation/people/invite/", hr_views.people_invite, name="people-invite"),
    path("organisation/people/import/", hr_views.people_import, name="people-import"),
    path(
        "organisation/people/import/<uuid:import_uuid>/",
        hr_views.people_import_preview,
        name="people-import-preview",
    ),
    path(PERSON, hr_views.person_detail, name="person-detail"),
    path(f"{PERSON}active/", hr_views.person_active, name="person-active"),
    path(f"{PERSON}invite/", hr_views.person_invite, name="person-invite"),
    path("organisation/units/", hr_views.unit_list, name="unit-list"),
    path(UNIT, hr_views.unit_edit, name="unit-edit"),
    path(f"{UNIT}delete/", hr_views.unit_delete, name="unit-delete"),
    path("profile/", views.profile, name="profile"),
    path("profile/compliments/", views.compliment_sharing, name="compliment-sharing"),
    path("profile/two-factor/", hr_views.own_two_factor, name="two-factor"),
    path("profile/my-data.json", views.personal_data_json, name="personal-data-json"),
    path("profile/my-data.pdf", views.personal_data_pdf, name="personal-data-pdf"),
]
