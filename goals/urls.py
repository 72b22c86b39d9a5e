from django.urls import path

from . import views

app_name = "goals"

urlpatterns = [
    path("", views.goal_list, name="goal-list"),
    path("new/", views.goal_create, name="goal-create"),
    path("smart-check/", views.smart_check_fragment, name="goal-smart-check"),
    path("<uuid:goal_uuid>/", views.goal_detail, name="goal-detail"),
    path("<uuid:goal_uuid>/edit/", views.goal_edit, name="goal-edit"),
    path("<uuid:goal_uuid>/submit/", views.goal_submit, name="goal-submit"),
    path("<uuid:goal_uuid>/approve/", views.goal_approve, name="goal-approve"),
    path("<uuid:goal_uuid>/return/", views.goal_return, name="goal-return"),
    path("<uuid:goal_uuid>/check-in/", views.goal_check_in, name="goal-check-in"),
    path("<uuid:goal_uuid>/assign/", views.goal_assign, name="goal-assign"),
]
