"""Sessions in the shared cache, backed by the database (Django's ``cached_db``), that
also remember when the loaded session expires, so that
``SessionIdleRefreshMiddleware`` can renew a session in use without writing it on every
request. Same table and data as Django's database sessions.

The cache holds ``(data, expiry)``: a request on a warm cache reads no database row. A
signed-out or flushed session is deleted from both. Without a shared cache (the
``sessions`` alias is Django's dummy cache) this is the database store.
"""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(CachedDbSessionStore):
    cache_key_prefix = "pop.session:"
    loaded_expiry = None  # when the loaded session expires

    def load(self):
        kept = self._cache.get(self.cache_key) if self.session_key else None
        if kept is not None:
            data, self.loaded_expiry = kept
            return data
        session = self._get_session_from_db()
        if session is None:
            self.loaded_expiry = None
            return {}
        data = self.decode(session.session_data)
        self.loaded_expiry = session.expire_date
        self._cache.set(
            self.cache_key,
            (data, session.expire_date),
            self.get_expiry_age(expiry=session.expire_date),
        )
        return data

    def save(self, must_create=False):
        DatabaseSessionStore.save(self, must_create)
        self._cache.set(
            self.cache_key, (self._session, self.get_expiry_date()), self.get_expiry_age()
        )
