from __future__ import annotations

import json

import pytest

from gridgov.cases.models import Category
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.registry.models import EmergencyContact, Resident, ResidentTag, ResidentTagKind
from gridgov.sos.services import device_create


@pytest.fixture(autouse=True)
def _sos_settings(settings):
    settings.GRIDGOV_NOTIFY_BACKENDS = {"sms": "log", "webhook": None}
    settings.GRIDGOV_SOS_CLAIM_SECONDS = 300
    settings.GRIDGOV_ESCALATE_UNCLAIMED = True


@pytest.fixture
def taxonomy(db) -> None:
    load_default_taxonomy(Category)


@pytest.fixture
def elder(world, taxonomy) -> Resident:
    """王奶奶, 84, lives alone in grid A; her son and daughter are her emergency contacts."""
    resident = Resident.objects.create(
        area=world.grid_a, name="王秀英", phone="13900000001", address="东湖路8号3单元201"
    )
    ResidentTag.objects.create(resident=resident, tag=ResidentTagKind.ELDERLY_ALONE)
    EmergencyContact.objects.create(
        resident=resident, name="李强", relation="儿子", phone="13911112222"
    )
    EmergencyContact.objects.create(
        resident=resident, name="李梅", relation="女儿", phone="13933334444"
    )
    return resident


@pytest.fixture
def device(elder):
    device, token = device_create(resident=elder, label="一键通-0001")
    device.token = token
    return device


@pytest.fixture
def press_with(client, django_capture_on_commit_callbacks):
    """``press_with(token, body)`` → the response of the device endpoint (what it queues after
    its commit, notifications and deadline checks, runs as it would in production)."""

    def send(token: str | None, body: dict | None = None, raw: bytes | None = None):
        headers = {"HTTP_X_DEVICE_TOKEN": token} if token is not None else {}
        data = raw if raw is not None else json.dumps(body or {})
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/sos/device/press/", data=data, content_type="application/json", **headers
            )

    return send
