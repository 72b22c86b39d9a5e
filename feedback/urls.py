from django.urls import path

from . import hr_views, recognition_views, views

app_name = "feedback"

ONE = "feedback/<uuid:request_uuid>/"
ANSWER = "feedback/answer/<uuid:invitation_uuid>/"

urlpatterns = [
    path("feedback/", views.feedback_list, name="feedback-list"),
    path("feedback/ask/<uuid:plan_uuid>/", views.feedback_ask, name="feedback-ask"),
    path("feedback/upward/new/", views.upward_new, name="upward-new"),
    path(ONE, views.request_detail, name="request-detail"),
    path(f"{ONE}extend/", views.request_extend, name="request-extend"),
    path(f"{ONE}share/", views.request_share, name="request-share"),
    path(ANSWER, views.answer_page, name="answer"),
    path(f"{ANSWER}save/", views.answer_save, name="answer-save"),
    path(f"{ANSWER}decline/", views.answer_decline, name="answer-decline"),
    path("organisation/feedback/", hr_views.settings_page, name="settings"),
    path(
        "organisation/feedback/questions/<uuid:question_uuid>/",
        hr_views.question_edit,
        name="question-edit",
    ),
    path(
        "organisation/feedback/questions/<uuid:question_uuid>/active/",
        hr_views.question_active,
        name="question-active",
    ),
    path(
        "feedback/compliments/plan/<uuid:plan_uuid>/",
        recognition_views.plan_compliments,
        name="plan-compliments",
    ),
    path(
        "feedback/compliments/<slug:kind>/<uuid:item_uuid>/",
        recognition_views.compliment,
        name="compliment",
    ),
]
