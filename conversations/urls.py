from django.urls import path

from . import hr_views, views

app_name = "conversations"

ONE = "conversations/<uuid:conversation_uuid>/"

urlpatterns = [
    path("conversations/", views.conversation_list, name="conversation-list"),
    path("conversations/new/", views.conversation_new, name="conversation-new"),
    path("conversations/plan/<uuid:plan_uuid>/", views.plan_fragment, name="plan-fragment"),
    path(ONE, views.conversation_detail, name="conversation-detail"),
    path(f"{ONE}invite.ics", views.conversation_ics, name="conversation-ics"),
    path(f"{ONE}report.pdf", views.conversation_report_pdf, name="conversation-report-pdf"),
    path(f"{ONE}reschedule/", views.conversation_reschedule, name="conversation-reschedule"),
    path(f"{ONE}cancel/", views.conversation_cancel, name="conversation-cancel"),
    path(f"{ONE}held/", views.conversation_held, name="conversation-held"),
    path(f"{ONE}agenda/", views.agenda_add, name="conversation-agenda-add"),
    path(f"{ONE}preparation/", views.preparation_save, name="conversation-preparation"),
    path(f"{ONE}notes/", views.notes_save, name="conversation-notes"),
    path(f"{ONE}private-note/", views.private_note_save, name="conversation-private-note"),
    path(f"{ONE}agreements/", views.agreement_add, name="conversation-agreement-add"),
    path(
        f"{ONE}agreements/<uuid:agreement_uuid>/plan/",
        views.agreement_to_plan,
        name="conversation-agreement-plan",
    ),
    path(
        f"{ONE}agreements/<uuid:agreement_uuid>/done/",
        views.agreement_done,
        name="conversation-agreement-done",
    ),
    path("team/", views.team, name="team"),
    # HR: the organisation's conversation settings.
    path("organisation/preparation-questions/", hr_views.question_list, name="question-list"),
    path(
        "organisation/preparation-questions/<uuid:question_uuid>/",
        hr_views.question_edit,
        name="question-edit",
    ),
    path(
        "organisation/preparation-questions/<uuid:question_uuid>/move/",
        hr_views.question_move,
        name="question-move",
    ),
    path(
        "organisation/preparation-questions/<uuid:question_uuid>/active/",
        hr_views.question_active,
        name="question-active",
    ),
    path("organisation/cadence/", hr_views.cadence_list, name="cadence-list"),
    path("organisation/cadence/<uuid:unit_uuid>/", hr_views.cadence_edit, name="cadence-edit"),
]
