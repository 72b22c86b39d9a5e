from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from .api.main import openapi_schema

app_name = "integrations"


@login_not_required
@require_GET
def api_schema(request: HttpRequest) -> JsonResponse:
    """The OpenAPI 3.1 schema, generated from the code (public: it holds no data)."""
    return JsonResponse(openapi_schema(), json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("api/schema/", api_schema, name="api-schema"),
]
