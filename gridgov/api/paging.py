"""Paging of every list: ``limit`` (1–200, default 50) and ``offset``, with the total ``count``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

from gridgov.api.schemas import MAX_OFFSET

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="rows per page (1–200)")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="rows to skip")


def page(
    rows: QuerySet[Any], paging: Paging, serialize: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    items = list(rows[paging.offset : paging.offset + paging.limit])
    # A short first page is all there is: no COUNT query for it.
    if paging.offset == 0 and len(items) < paging.limit:
        count = len(items)
    else:
        count = rows.count()
    return {
        "count": count,
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [serialize(row) for row in items],
    }
