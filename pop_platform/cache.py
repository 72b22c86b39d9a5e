"""The one cache of the app: Django's cache framework, shared by every process.

- With ``REDIS_URL`` (or ``CACHE_URL``): Redis (django-redis), so every web and worker
  process on every machine sees the same values. A Redis that cannot be reached reads as
  a miss: pages compute what they need, sessions come from the database.
- Without: each process's own memory (``make run``: one web process); sessions then stay
  in the database only, since a session signed out in one process must not live on in
  another's memory.

Values are stored under keys that name the versions of what they depend on, so an entry
is never stale and never needs to be deleted (STYLE.md, "One mechanism per concern").
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

Sentinels = tuple[tuple[str, int], ...]


def sentinels(addresses: list[str]) -> Sentinels:
    """``REDIS_SENTINELS`` ("host:port,host:port") as (host, port) pairs."""
    found = []
    for address in addresses:
        host, _, port = address.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ImproperlyConfigured(f"REDIS_SENTINELS: {address!r} is not host:port.")
        found.append((host.strip("[]"), int(port)))
    return tuple(found)


def caches_config(url: str, *, sentinels: Sentinels = ()) -> dict[str, dict]:
    """``CACHES``: ``default`` for values, ``sessions`` for the session store. ``url``
    (``redis://`` or ``rediss://`` for TLS) names the master when ``sentinels`` are given."""
    if not url:
        return {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "sessions": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        }
    options = {
        "SOCKET_CONNECT_TIMEOUT": 1,
        "SOCKET_TIMEOUT": 1,
        # Redis away: a miss (pages compute, sessions come from the database).
        "IGNORE_EXCEPTIONS": True,
    }
    if sentinels:
        options |= {
            "CLIENT_CLASS": "django_redis.client.SentinelClient",
            "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
            "SENTINELS": list(sentinels),
        }
    shared = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "pop",
        "OPTIONS": options,
    }
    return {"default": shared, "sessions": {**shared, "KEY_PREFIX": "pop-session"}}


def broker_url(url: str, *, sentinels: Sentinels = ()) -> str:
    """Celery's broker URL: ``url`` itself, or one ``sentinel://`` address per sentinel
    with ``url``'s password and database (kombu's Sentinel transport)."""
    if not sentinels:
        return url
    parts = urlsplit(url)
    password = f":{parts.password}@" if parts.password else ""
    return ";".join(
        urlunsplit(("sentinel", f"{password}{host}:{port}", parts.path, "", ""))
        for host, port in sentinels
    )


def broker_sentinel_options(url: str, *, sentinels: Sentinels = ()) -> dict:
    """The transport options Sentinel needs: the master's name (``url``'s host)."""
    return {"master_name": urlsplit(url).hostname} if sentinels else {}
