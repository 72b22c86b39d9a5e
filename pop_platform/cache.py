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

import hashlib
import os
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

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


# --- Keys -------------------------------------------------------------------------------
#
# A value that depends on database rows is stored under a key naming the version of those
# rows: ``cache.get_or_set(f"rollup:{org.pk}:{goals_version}", compute, TIMEOUT)``. The
# versions are counters in the database (people.versions), raised with the writes.
#
# The signed-in user is read on every request, before any version could be read without
# a query, so the user's rows are keyed by a *generation*: a token kept in the cache
# itself and replaced (``generations_renew``) when the transaction that wrote the rows
# commits. A missing token is a fresh one: the rows are read again.

TIMEOUT = 60 * 60  # seconds: entries under old keys are never read again and go by this
GENERATION_TIMEOUT = 10 * 60  # bounds a renewal lost because the cache was unreachable


def generation_of(name: str) -> str:
    """The current token of ``name`` (a new one when there is none)."""
    key = f"generation:{name}"
    token = cache.get(key)
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(key, token, GENERATION_TIMEOUT):  # another process was first
            token = cache.get(key) or token
    return token


def generations_renew(names: list[str]) -> None:
    """New tokens for ``names`` (run on commit of the write; see ``on_commit_renew``)."""
    if names:
        fresh = {f"generation:{name}": uuid.uuid4().hex for name in names}
        cache.set_many(fresh, GENERATION_TIMEOUT)


def on_commit_renew(names: list[str]) -> None:
    """Renew ``names``' generations now (this transaction's own later reads) and again
    when it commits (a copy read meanwhile by another process, from before the commit,
    is then under an old token)."""
    generations_renew(list(names))
    transaction.on_commit(partial(generations_renew, list(names)))


# --- Rendered fragments -------------------------------------------------------------------

#: Stands for the request's CSRF token in cached HTML: a token is never stored.
CSRF_MARK = "csrf-token-of-the-request"


#: Folders of the project that hold no code the pages run.
_NOT_RELEASED = {".venv", ".git", "var", "tests", "node_modules", "bench", "docs", "deploy"}


def release_digest(root: Path) -> str:
    """The code, templates and translations as deployed (``settings.RELEASE_DIGEST``, part
    of every fragment's key): HTML rendered by another release is never served."""
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(root):  # subfolders pruned and sorted here
        subfolders[:] = sorted(name for name in subfolders if name not in _NOT_RELEASED)
        for name in sorted(files):
            if name.endswith((".py", ".html", ".txt", ".mo")):
                path = Path(folder, name)
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fragment(request, name: str, parts: tuple, render: Callable[[dict], str]) -> SafeString:
    """HTML that ``render`` makes from extra context, kept under ``name`` and a hash of
    ``parts`` (everything the HTML depends on: versions, the viewer's role, language, day)
    and the release. Forms in it get this request's CSRF token after the cache read."""
    parts = (settings.RELEASE_DIGEST, *parts)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"fragment:{name}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render({"csrf_token": CSRF_MARK})
        cache.set(key, html, TIMEOUT)
    return mark_safe(html.replace(CSRF_MARK, get_token(request)))  # noqa: S308 (our HTML)


def partials(
    request, template: str, prefix: str, parts: dict[str, tuple], context: dict
) -> dict[str, SafeString]:
    """The ``{% partialdef <prefix><name> %}`` blocks of ``template``, each a
    :func:`fragment` under its own ``parts[name]``; on a miss rendered with ``context``
    (without the context processors' work: the blocks show only what their key names)."""

    def one(name: str) -> SafeString:
        def render(extra: dict) -> str:
            partial = get_template(f"{template}#{prefix}{name}")
            return partial.render({**context, "request": request, **extra})

        return fragment(request, f"{prefix}{name}", parts[name], render)

    return {name: one(name) for name in parts}
