from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    path("hr/alignment/", views.alignment, name="alignment"),
    path("hr/alignment.csv", views.alignment_csv, name="alignment-csv"),
    path("hr/alignment/refresh/", views.alignment_refresh, name="alignment-refresh"),
    path("hr/alignment/people/", views.alignment_people, name="alignment-people"),
]
