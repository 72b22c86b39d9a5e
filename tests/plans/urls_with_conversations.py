"""The project's URLs plus a stand-in for the conversations app's plan fragment, to show
that the plan page picks the fragment up as soon as that URL exists."""

from django.http import HttpResponse
from django.urls import include, path

from pop_platform.urls import urlpatterns as project_urls


def plan_fragment(request, plan_uuid):
    return HttpResponse("")


conversations = ([path("plan/<uuid:plan_uuid>/", plan_fragment, name="plan-fragment")], "conv")

urlpatterns = [
    *project_urls,
    path("conversations-test/", include(conversations, namespace="conversations")),
]
