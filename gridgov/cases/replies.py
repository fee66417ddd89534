"""Reply templates (常用回复) that fire on a state change, read from the cache.

Every transition asks "does a template fire on this state?"; templates change a few times a year.
The active firing templates are kept in Django's cache (shared through Redis in production) and
dropped whenever one is saved or deleted; a process on a per-process cache sees an edit within
``TTL`` seconds at worst.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gridgov.cases.models import ReplyTemplate

CACHE_KEY = "gridgov:cases:firing-reply-templates"
TTL = 60


def firing_templates() -> list[tuple[int, str, int | None, str]]:
    """(pk, status it fires on, category id or None, text) of every active firing template."""
    rows = cache.get(CACHE_KEY)
    if rows is None:
        rows = list(
            ReplyTemplate.objects.filter(active=True)
            .exclude(fires_on="")
            .order_by("title", "pk")
            .values_list("pk", "fires_on", "category_id", "text")
        )
        cache.set(CACHE_KEY, rows, TTL)
    return rows


def firing_on(status: str, category_id: int, parent_id: int | None) -> list[tuple[int, str]]:
    """(pk, text) of the templates that fire when a case of this category enters ``status``."""
    return [
        (pk, text)
        for pk, fires_on, category, text in firing_templates()
        if fires_on == status and category in (None, category_id, parent_id)
    ]


@receiver(post_save, sender=ReplyTemplate, dispatch_uid="reply-templates-cache-save")
@receiver(post_delete, sender=ReplyTemplate, dispatch_uid="reply-templates-cache-delete")
def _forget(**_kwargs) -> None:
    cache.delete(CACHE_KEY)
