"""Categories read from the cache by every step of a case.

Each transition needs its case's category (routing, deadlines, reply templates); the taxonomy
changes a few times a year. A category is kept in Django's cache (shared through Redis in
production) and dropped whenever one is saved or deleted; a process on a per-process cache sees
an edit within ``TTL`` seconds at worst, as with the reply templates.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gridgov.cases.models import Category
from gridgov.core.compiled import CompiledQuery

TTL = 60  # seconds
_VERSION_KEY = "gridgov:cases:categories-version"


def _key(pk: int) -> str:
    return f"gridgov:cases:category:{cache.get_or_set(_VERSION_KEY, 1, None)}:{pk}"


def cached_category(pk: int) -> Category:
    key = _key(pk)
    category = cache.get(key)
    if category is None:
        category = Category.objects.get(pk=pk)
        cache.set(key, category, TTL)
    return category


# Every report names its category by code: a compiled query, its answer kept in this process for
# up to TTL seconds (a report is the one request that needs it, and asking the database each time
# was one of a report's four reads). An edit in this process drops them at once.
_BY_CODE: CompiledQuery[Category] = CompiledQuery(
    lambda p: Category.objects.filter(code=p("code")).order_by()[:1]
)
_by_code: dict[str, tuple[float, Category | None]] = {}


def category_by_code(code: str) -> Category | None:
    """The category with this code, or None."""
    if not isinstance(code, str) or not code:
        return None
    now = time.monotonic()
    kept = _by_code.get(code)
    if kept is not None and now - kept[0] < TTL:
        return kept[1]
    category = _BY_CODE.first(code=code)
    if len(_by_code) > 10_000:  # codes that do not exist, sent on purpose: keep memory bounded
        _by_code.clear()
    _by_code[code] = (now, category)
    return category


@receiver(post_save, sender=Category, dispatch_uid="categories-cache-save")
@receiver(post_delete, sender=Category, dispatch_uid="categories-cache-delete")
def _forget(**_kwargs) -> None:
    _by_code.clear()
    # One edit may change what several categories inherit (a class's defaults): drop them all.
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 2, None)
