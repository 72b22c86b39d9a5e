from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from . import views
from .api.main import openapi_schema

app_name = "integrations"


@login_not_required
@require_GET
def api_schema(request: HttpRequest) -> JsonResponse:
    """The OpenAPI 3.1 schema, generated from the code (public: it holds no data)."""
    return JsonResponse(openapi_schema(), json_dumps_params={"ensure_ascii": False})


@login_not_required
@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    """The API's documentation: Swagger UI from vendored files, started by our own script
    (no inline script: the strict Content-Security-Policy holds)."""
    return render(request, "integrations/api_docs.html")


urlpatterns = [
    path("api/schema/", api_schema, name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("organisation/integrations/", views.overview, name="overview"),
    path("organisation/integrations/clients/", views.client_add, name="client-add"),
    path(
        "organisation/integrations/clients/<uuid:client_uuid>/revoke/",
        views.client_revoke,
        name="client-revoke",
    ),
    path("organisation/integrations/scim-token/", views.scim_token, name="scim-token"),
    path("organisation/integrations/webhooks/", views.webhook_add, name="webhook-add"),
    path(
        "organisation/integrations/webhooks/<uuid:subscription_uuid>/",
        views.webhook_detail,
        name="webhook-detail",
    ),
    path(
        "organisation/integrations/webhooks/<uuid:subscription_uuid>/test/",
        views.webhook_test,
        name="webhook-test",
    ),
    path(
        "organisation/integrations/webhooks/<uuid:subscription_uuid>/delete/",
        views.webhook_delete,
        name="webhook-delete",
    ),
    path("organisation/integrations/chat/", views.chat_set, name="chat-set"),
    path("organisation/integrations/chat/remove/", views.chat_remove, name="chat-remove"),
    path("organisation/integrations/notifications/", views.policy_save, name="policy-save"),
    path("profile/notifications/", views.my_notifications, name="my-notifications"),
    path("profile/notifications/chat/", views.my_chat_set, name="my-chat-set"),
    path("profile/notifications/chat/remove/", views.my_chat_remove, name="my-chat-remove"),
]
