from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from django.test import Client

from gridgov.api.tokens import token_create
from gridgov.cases.models import Category
from gridgov.cases.services import case_report
from gridgov.cases.taxonomy import load_default_taxonomy


class ApiClient:
    """A test client that sends a user's API token and speaks JSON."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, path: str, **params: Any):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None):
        return self.client.post(
            path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def upload(self, path: str, data: dict[str, Any]):
        return self.client.post(path, data, headers=self.headers)


@pytest.fixture
def taxonomy(db) -> None:
    load_default_taxonomy(Category)


_token_numbers = itertools.count(1)


@pytest.fixture
def api(world, taxonomy):
    """``api(user)`` → a client carrying a fresh API token of ``user``."""

    def make(user) -> ApiClient:
        # A counter, not id(object()): a freed object's id comes back, and with it the name.
        _token, key = token_create(user=user, name=f"test-{user.pk}-{next(_token_numbers)}")
        return ApiClient(key)

    return make


@pytest.fixture
def report(world, taxonomy):
    """``report(**fields)`` → a case reported by the resident in grid A (楼道杂物) unless told."""

    def make(actor=None, category="0101", **fields):
        fields.setdefault("title", "楼道堆放杂物")
        fields.setdefault("area", world.grid_a)
        return case_report(
            actor=actor or world.resident,
            channel=fields.pop("channel", "resident"),
            category=Category.objects.get(code=category),
            **fields,
        ).case

    return make
