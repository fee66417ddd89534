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


def move(case, world, *, until: str = "closed", at=None):
    """Take ``case`` along the loop as the staff would, up to ``until``."""
    from gridgov.cases.workflow import transition

    steps = [
        ("accepted", "accept", world.secretary, {}),
        ("dispatched", "dispatch", world.secretary, {"area": world.grid_a}),
        ("claimed", "claim", world.worker_a, {}),
        ("resolved", "resolve", world.worker_a, {"result": "已清理干净。"}),
        ("verified", "verify", world.secretary, {"passed": True}),
        ("closed", "close", world.secretary, {}),
    ]
    for state, action, actor, payload in steps:
        extra = {"at": at} if at is not None else {}
        case = transition(case=case, action=action, actor=actor, **payload, **extra)
        if state == until:
            break
    return case


@pytest.fixture
def resident_case(mapped, hallway, phone_resident):
    """A case the phone resident reported in grid A, with a photo."""
    from gridgov.resident.services import resident_report

    return resident_report(
        actor=phone_resident,
        category=hallway,
        title="楼道堆满纸箱",
        description="三单元楼道堆满纸箱",
        lon=INSIDE_A[0],
        lat=INSIDE_A[1],
        callback_phone=RESIDENT_PHONE,
        photos=[png()],
    ).case
