"""The client's address and scheme behind reverse proxies (Caddy, an ingress).

Each proxy appends the address it received the request from to ``X-Forwarded-For``, so
behind ``DJANGO_PROXY_COUNT`` proxies the client is that many entries from the right;
anything further left was sent by the client and proves nothing. The headers are
believed only when the request comes from a trusted proxy (``DJANGO_TRUSTED_PROXY_IPS``,
by default the loopback and private networks, where a proxy in front of the app lives):
from anywhere else, and with no proxy configured, every ``X-Forwarded-*`` header is
dropped, so a request sent straight to gunicorn cannot pass itself off as another client
or as HTTPS (``SECURE_PROXY_SSL_HEADER``).

This middleware runs first and rewrites ``REMOTE_ADDR``; everything after it — the
sign-in lockout (django-axes, through :func:`client_ip`), the audit trail, the logs —
reads the client's address from there.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Where a reverse proxy in front of the app normally is (Rails and others trust the same).
DEFAULT_TRUSTED_PROXIES = (
    "127.0.0.0/8",
    "::1/128",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
)

#: Headers that only a trusted proxy may set.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    # The proxy's id of the request, carried into our logs.
    "HTTP_X_REQUEST_ID",
)


def parse_networks(values: Iterable[str], *, setting: str) -> tuple[Network, ...]:
    """Networks from addresses or CIDR ranges; a bad one stops the start."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as error:
            message = f"{setting}: {value!r} is not an address or range."
            raise ImproperlyConfigured(message) from error
    return tuple(networks)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def forwarded_client(*, peer: str, forwarded_for: str, proxies: int, trusted: Iterable[Network]):
    """The client's address: ``peer`` itself, or, when ``peer`` is a trusted proxy, the
    entry ``proxies`` places from the right of ``forwarded_for`` (None: ignore the
    forwarded headers)."""
    peer_address = _address(peer)
    if not proxies or peer_address is None or not any(peer_address in n for n in trusted):
        return None
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    if len(hops) < proxies:
        return peer  # fewer proxies than configured: the peer is the closest we know
    client = _address(hops[-proxies])
    return str(client) if client is not None else peer


class ProxyHeadersMiddleware:
    """First in ``MIDDLEWARE``: the real client address in ``REMOTE_ADDR``, and the
    forwarded headers only from a trusted proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.proxies = settings.PROXY_COUNT
        self.trusted = settings.TRUSTED_PROXY_NETWORKS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        client = forwarded_client(
            peer=meta.get("REMOTE_ADDR", ""),
            forwarded_for=meta.get("HTTP_X_FORWARDED_FOR", ""),
            proxies=self.proxies,
            trusted=self.trusted,
        )
        if client is None:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        else:
            meta["REMOTE_ADDR"] = client
        return self.get_response(request)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for django-axes and the audit trail (``AXES_CLIENT_IP_CALLABLE``):
    ``REMOTE_ADDR`` as :class:`ProxyHeadersMiddleware` left it."""
    return request.META.get("REMOTE_ADDR") or None
