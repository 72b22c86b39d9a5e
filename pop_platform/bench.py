"""The benchmark's baseline: the cheapest signed-in page there is.

It goes through the whole middleware stack (session, sign-in check, language, CSP,
security headers) and answers a few bytes without touching any domain data, so the
benchmark can show what each real page costs on top of the framework. It exists only
when ``POP_BENCH_BASELINE=true`` (``make bench`` sets it); never in a normal deployment.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def baseline(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain; charset=utf-8")
