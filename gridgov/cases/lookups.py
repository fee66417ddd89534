"""Categories read from the cache by every step of a case.

Each transition needs its case's category (routing, deadlines, reply templates); the taxonomy
changes a few times a year. A category is kept in Django's cache (shared through Redis in
production) and dropped whenever one is saved or deleted; a process on a per-process cache sees
an edit within ``TTL`` seconds at worst, as with the reply templates.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gridgov.cases.models import Category
from gridgov.core.compiled import CompiledQuery

TTL = 60
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


# Every report names its category by code: a compiled query (always fresh, no cache to drop).
_BY_CODE: CompiledQuery[Category] = CompiledQuery(
    lambda p: Category.objects.filter(code=p("code")).order_by()[:1]
)


def category_by_code(code: str) -> Category | None:
    """The category with this code, or None."""
    if not isinstance(code, str) or not code:
        return None
    return _BY_CODE.first(code=code)


@receiver(post_save, sender=Category, dispatch_uid="categories-cache-save")
@receiver(post_delete, sender=Category, dispatch_uid="categories-cache-delete")
def _forget(**_kwargs) -> None:
    # One edit may change what several categories inherit (a class's defaults): drop them all.
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 2, None)
