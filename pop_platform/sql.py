"""Hand-written SQL for the few reads on every page that the ORM is slow to build."""

from django.db import connection


def one_row(sql: str, params: list) -> tuple:
    """The first row of ``sql`` run with ``params`` on the default database."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
