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


def caches_config(url: str) -> dict[str, dict]:
    """``CACHES``: ``default`` for values, ``sessions`` for the session store."""
    if not url:
        return {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "sessions": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        }
    shared = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "pop",
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
            # Redis away: a miss (pages compute, sessions come from the database).
            "IGNORE_EXCEPTIONS": True,
        },
    }
    return {"default": shared, "sessions": {**shared, "KEY_PREFIX": "pop-session"}}
