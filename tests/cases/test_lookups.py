"""A category by its code, as every report asks: kept in the process for a minute, dropped at
once when a category is saved here."""

from __future__ import annotations

import pytest

from gridgov.cases import lookups
from gridgov.cases.models import Category
from gridgov.cases.taxonomy import load_default_taxonomy

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxonomy():
    load_default_taxonomy(Category)


def test_a_code_is_asked_once_a_minute_and_an_edit_is_seen_at_once(
    taxonomy, django_assert_num_queries, monkeypatch
):
    clock = [1000.0]
    monkeypatch.setattr(lookups.time, "monotonic", lambda: clock[0])
    with django_assert_num_queries(2):  # one per code, the unknown one too
        first = lookups.category_by_code("0101")
        assert lookups.category_by_code("0101") is first
        assert lookups.category_by_code("9999") is None
        assert lookups.category_by_code("9999") is None
    hallway = Category.objects.get(code="0101")
    hallway.active = False
    hallway.save()  # an edit in this process: seen by the next report
    assert lookups.category_by_code("0101").active is False
    # Another process's edit (here: no signal) is seen once the minute is over.
    Category.objects.filter(code="0101").update(active=True)
    assert lookups.category_by_code("0101").active is False
    clock[0] += lookups.TTL
    assert lookups.category_by_code("0101").active is True


def test_an_unknown_code_is_none(taxonomy):
    assert lookups.category_by_code("no-such") is None
    assert lookups.category_by_code("") is None and lookups.category_by_code(None) is None
