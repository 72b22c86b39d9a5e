from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("mine/", views.plan_mine, name="plan-mine"),
    path("for/<uuid:person_uuid>/", views.plan_for_report, name="plan-for-report"),
    path("template.pdf", views.plan_template_pdf, name="plan-template-pdf"),
    path("competencies/", views.competency_list, name="competency-list"),
    path("competencies/<uuid:competency_uuid>/", views.competency_edit, name="competency-edit"),
    path("<uuid:plan_uuid>/", views.plan_detail, name="plan-detail"),
    path("<uuid:plan_uuid>/pdf/", views.plan_pdf, name="plan-pdf"),
    path("<uuid:plan_uuid>/agree/", views.plan_agree, name="plan-agree"),
    path("<uuid:plan_uuid>/changes/", views.plan_changes, name="plan-changes"),
    path("<uuid:plan_uuid>/versions/<int:number>/", views.plan_version, name="plan-version"),
    path(
        "<uuid:plan_uuid>/versions/<int:number>/pdf/",
        views.plan_version_pdf,
        name="plan-version-pdf",
    ),
    path("<uuid:plan_uuid>/comments/", views.comment_add, name="plan-comment-add"),
    path("<uuid:plan_uuid>/gap/<uuid:gap_uuid>/assess/", views.gap_assess, name="plan-gap-assess"),
    path("<uuid:plan_uuid>/<slug:kind>/add/", views.item_add, name="plan-item-add"),
    path("<uuid:plan_uuid>/<slug:kind>/<uuid:item_uuid>/", views.item_show, name="plan-item"),
    path(
        "<uuid:plan_uuid>/<slug:kind>/<uuid:item_uuid>/edit/",
        views.item_edit,
        name="plan-item-edit",
    ),
    path(
        "<uuid:plan_uuid>/<slug:kind>/<uuid:item_uuid>/delete/",
        views.item_delete,
        name="plan-item-delete",
    ),
]
