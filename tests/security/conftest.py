from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import override_settings

from tests.security.world import MatrixWorld, build_matrix_world

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _media_settings(media: Path) -> dict:
    return {
        "MEDIA_ROOT": media,
        "STORAGES": {
            **django_settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(media), "base_url": "/files/"},
            },
        },
    }


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(autouse=True)
def _fast_hashing_and_private_media(settings, matrix_media):
    """As in tests/conftest.py, but the media directory lives as long as the module's world."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    for name, value in _media_settings(matrix_media).items():
        setattr(settings, name, value)


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker, matrix_media) -> MatrixWorld:
    """One fixture world per test module and process, rolled back at the end of the module.

    Each test runs inside it in its own savepoint (pytest-django's ``db``), and the matrix rolls
    back every request besides, so no test sees another's writes. Building it once instead of once a
    test saves about a third of the security tests' time.
    """
    overrides = override_settings(PASSWORD_HASHERS=FAST_HASHERS, **_media_settings(matrix_media))
    with django_db_blocker.unblock(), overrides, transaction.atomic():
        world = build_matrix_world()
        yield world
        transaction.set_rollback(True)
