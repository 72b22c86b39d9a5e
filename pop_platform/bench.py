"""The benchmark's baselines: the cheapest pages there are.

``baseline`` is the cheapest signed-in page: it goes through the whole middleware stack
(session, sign-in check, language, CSP, security headers) and answers a few bytes without
touching any domain data. ``hello`` answers without sign-in: behind every middleware it
shows what the framework costs; called without middleware (``bench/cpu.py``), what a bare
Django view costs. They exist only when ``POP_BENCH_BASELINE=true`` (``make bench`` sets
it); never in a normal deployment.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def baseline(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain; charset=utf-8")


@login_not_required
@require_GET
def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain; charset=utf-8")
