"""Suggesting a category from a resident's own words ("楼道里堆满了纸箱" → 楼道杂物).

A small, explainable scorer over what each active subcategory says about itself: its keywords
(words residents use, weighted most), its name and its class's name, and its filing condition.
Chinese has no spaces, so texts are compared by the keywords they contain and by shared character
pairs (bigrams) with the name; a longer keyword found counts for more than a short one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gridgov.cases.models import Category

KEYWORD_WEIGHT = 3.0
NAME_WEIGHT = 2.0
CLASS_NAME_WEIGHT = 0.5
FILING_WEIGHT = 0.2
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Suggestion:
    category: Category
    score: float
    matched: tuple[str, ...]


def _clean(text: str) -> str:
    return _PUNCTUATION.sub("", (text or "").lower())


def _bigrams(text: str) -> set[str]:
    text = _clean(text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def score(text: str, category: Category) -> tuple[float, tuple[str, ...]]:
    """How well ``text`` fits ``category``, and the words that matched."""
    cleaned = _clean(text)
    if not cleaned:
        return 0.0, ()
    total = 0.0
    matched: list[str] = []
    for word in (category.keywords or "").split():
        word = _clean(word)
        if len(word) >= 2 and word in cleaned:
            total += KEYWORD_WEIGHT * len(word) / 2
            matched.append(word)
    grams = _bigrams(text)
    name = _clean(category.name)
    if name and name in cleaned:
        total += NAME_WEIGHT * len(name)
        matched.append(name)
    else:
        shared = grams & _bigrams(name)
        total += NAME_WEIGHT * len(shared)
        matched.extend(sorted(shared))
    if category.parent_id is not None:
        total += CLASS_NAME_WEIGHT * len(grams & _bigrams(category.parent.name))
    total += FILING_WEIGHT * len(grams & _bigrams(category.filing_condition))
    return total, tuple(dict.fromkeys(matched))


def suggest(
    text: str, *, limit: int = 3, categories: list[Category] | None = None
) -> list[Suggestion]:
    """The best-fitting active subcategories for ``text``, best first; empty when nothing fits.

    A category that only shares words with the generic filing condition is not a suggestion.
    """
    if categories is None:
        categories = list(
            Category.objects.filter(active=True, parent__isnull=False)
            .select_related("parent")
            .order_by("code")
        )
    found = []
    for category in categories:
        value, matched = score(text, category)
        if matched:
            found.append(Suggestion(category, round(value, 2), matched))
    found.sort(key=lambda s: (-s.score, s.category.code))
    return found[:limit]
