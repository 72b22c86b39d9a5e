"""Database sessions that remember when the loaded session expires, so that
``SessionIdleRefreshMiddleware`` can renew a session in use without writing it on every
request. Same table and data as Django's database sessions."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    loaded_expiry = None  # when the session read from the database expires

    def _get_session_from_db(self):
        session = super()._get_session_from_db()
        self.loaded_expiry = session.expire_date if session is not None else None
        return session
