"""API and SCIM tokens: made once, shown once, kept as a SHA-256 hash.

A token is ``pop_`` and 32 random bytes (URL-safe base64). Looking one up hashes what the
client sent and finds the hash, so the database never holds a usable token; a hash of 256
random bits needs no salt or slow hash (nothing to guess from it).
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import secrets

from django.db.models import Q
from django.utils import timezone

from people.models import ApiClient

PREFIX = "pop_"
#: ``last_used_at`` is written at most this often per client (not on every call).
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def token_new() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_for_token(token: str, *, kind: str) -> ApiClient | None:
    """The active client of ``kind`` holding ``token``, with its organisation."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    return (
        ApiClient.objects.select_related("organisation")
        .filter(token_hash=token_hash(token), kind=kind, revoked_at__isnull=True)
        .first()
    )


def networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The networks of an ``allowed_networks`` text (``ValueError`` naming a bad line)."""
    found = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        try:
            found.append(ipaddress.ip_network(line, strict=False))
        except ValueError as bad:
            raise ValueError(line) from bad
    return found


def address_allowed(client: ApiClient, address: str | None) -> bool:
    allowed = networks(client.allowed_networks)
    if not allowed:
        return True
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in allowed)


def mark_used(client: ApiClient) -> None:
    """Record the use, at most once per ``LAST_USED_PRECISION`` (one conditional UPDATE)."""
    now = timezone.now()
    ApiClient.objects.filter(pk=client.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)
