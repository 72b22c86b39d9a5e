from django.urls import path

from . import recognition_views

app_name = "feedback"

urlpatterns: list = [
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
