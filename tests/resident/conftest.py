from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.areas.locator import locator
from gridgov.cases.models import Category
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.demo.geometry import Box
from gridgov.resident.signin import resident_for_phone

RESIDENT_PHONE = "13912345678"
# Grid A is the square 120.000–120.010 E, 30.000–30.010 N; grid B lies east of it.
INSIDE_A = (120.005, 30.005)


@pytest.fixture(autouse=True)
def _resident_settings(settings):
    settings.GRIDGOV_NOTIFY_BACKENDS = {"sms": "log", "webhook": None}
    settings.GRIDGOV_NOTIFY_LOG_SECRETS = True
    settings.GRIDGOV_RESIDENT_CODE_MINUTES = 5
    settings.GRIDGOV_RESIDENT_CODE_ATTEMPTS = 3
    settings.GRIDGOV_RESIDENT_CODES_PER_PHONE_HOUR = 3
    settings.GRIDGOV_RESIDENT_CODES_PER_ADDRESS_HOUR = 5
    settings.GRIDGOV_RESIDENT_CODE_INTERVAL_SECONDS = 60
    settings.GRIDGOV_RESIDENT_REOPEN_DAYS = 7
    settings.GRIDGOV_RESIDENT_FIXED_CHECK_DAYS = 3
    settings.GRIDGOV_RESIDENT_NEARBY_METRES = 250


@pytest.fixture
def taxonomy(db) -> None:
    load_default_taxonomy(Category)


@pytest.fixture
def hallway(taxonomy) -> Category:
    return Category.objects.get(code="0101")


@pytest.fixture
def mapped(world):
    """The world with polygons for grids A and B (and their community and street)."""
    world.street.polygon = Box(119.99, 29.99, 120.03, 30.03).geojson()
    world.community1.polygon = Box(120.0, 30.0, 120.02, 30.01).geojson()
    world.grid_a.polygon = Box(120.0, 30.0, 120.01, 30.01).geojson()
    world.grid_b.polygon = Box(120.01, 30.0, 120.02, 30.01).geojson()
    for area in (world.street, world.community1, world.grid_a, world.grid_b):
        area.save()
    locator.invalidate()
    yield world
    locator.invalidate()


@pytest.fixture
def phone_resident(world):
    """A resident who signed in with a phone before (an account found by the phone's index)."""
    user, _created = resident_for_phone(RESIDENT_PHONE)
    return user


@pytest.fixture
def resident_client(client, phone_resident):
    client.force_login(phone_resident, backend="gridgov.core.auth.GridgovModelBackend")
    return client


def png(width: int = 64, height: int = 48, colour: str = "red", name: str = "photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
