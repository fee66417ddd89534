from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD, World, build_world


@pytest.fixture(autouse=True)
def _fast_hashing_and_private_media(settings, tmp_path):
    # Tests log in hundreds of times; the production hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Inboxes and rollups are looked at right after each step; tests/cases/test_followups.py
    # covers the production path (outbox row + job).
    settings.GRIDGOV_FOLLOW_UPS_INLINE = True
    # Answers rendered straight from their serializer's dict are checked against their schema.
    settings.GRIDGOV_CHECK_ANSWERS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    # Each test starts from an empty database, which a running server never does: categories kept
    # by code in this process (gridgov.cases.lookups) belong to the test before.
    from gridgov.cases import lookups

    lookups._by_code.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/files/"},
        },
    }


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def login():
    """``login(user)`` → a test client signed in as that user (through the real login form)."""

    def make(user) -> Client:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": user.username, "password": PASSWORD}
        )
        assert response.status_code == 302, response.content[:500]
        return client

    return make


@pytest.fixture(autouse=True)
def _empty_cache():
    """A test's rolled-back rows must not live on in the cache (e.g. firing reply templates)."""
    from django.core.cache import cache

    from gridgov.areas.locator import locator

    cache.clear()
    locator.invalidate()  # the polygons of the last test's (rolled-back) areas
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _postgresql_only(request):
    """Tests marked ``pg`` need a real server (``.ci/run`` starts one); elsewhere they skip."""
    if request.node.get_closest_marker("pg"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("runs on PostgreSQL only (GRIDGOV_TEST_POSTGRES_URL)")
