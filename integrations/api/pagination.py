"""Pagination by cursor over (last change, id): a client that follows ``next`` sees every
row that exists when it starts, and a row changed meanwhile again at the end (so a nightly
sync with ``updated_since`` misses nothing). The cursor is opaque to clients.

(ninja's ``CursorPagination`` orders by one field and counts an offset among equal values,
which breaks when an import gives thousands of rows the same ``updated_at``.)
"""

import base64
import binascii
import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from .common import in_utc
from .problems import Problem

MAX_LIMIT = 100


def encode(updated_at: datetime.datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{pk}".encode()).decode()


def decode(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        stamp, _bar, pk = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        moment = parse_datetime(stamp)
        if moment is None:
            raise ValueError(stamp)
        return in_utc(moment, "cursor"), int(pk)
    except (ValueError, UnicodeError, binascii.Error) as bad:
        raise Problem(400, _("This cursor is not valid."), code="cursor") from bad


class KeysetPagination(PaginationBase):
    class Input(Schema):
        cursor: str | None = Field(None, description="The `next_cursor` of the previous page.")
        limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page.")

    class Output(Schema):
        items: list[Any]
        next_cursor: str | None = Field(description="Null on the last page.")
        next: str | None = Field(description="The URL of the next page.")

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request, **params: Any
    ) -> dict:
        rows = queryset.order_by("updated_at", "id")
        if pagination.cursor:
            moment, pk = decode(pagination.cursor)
            rows = rows.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, id__gt=pk))
        page = list(rows[: pagination.limit + 1])
        more = len(page) > pagination.limit
        page = page[: pagination.limit]
        on_page = getattr(request, "api_page_read", None)
        if on_page is not None:  # e.g. the plans' reads, for the audit trail
            on_page(page)
        cursor = encode(page[-1].updated_at, page[-1].pk) if more else None
        following = None
        if cursor:
            query = request.GET.copy()
            query["cursor"] = cursor
            following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return {"items": page, "next_cursor": cursor, "next": following}
