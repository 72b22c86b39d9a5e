"""The security headers on static files too.

WhiteNoise answers ``/static/`` before Django's security, frame and CSP middleware run,
so it adds their headers itself (``WHITENOISE_ADD_HEADERS_FUNCTION``): a stylesheet, a
script or the SVG icon opened on its own gets the same policy as a page.
"""

from functools import cache

from csp.utils import build_policy
from django.conf import settings


@cache
def _policy() -> str:
    return build_policy(config=settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])


def add_security_headers(headers, path: str, url: str) -> None:
    headers["Content-Security-Policy"] = _policy()
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    headers["Referrer-Policy"] = settings.SECURE_REFERRER_POLICY
    headers["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
