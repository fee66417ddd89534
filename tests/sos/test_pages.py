"""The resident's SOS page and its status page; the console for community staff, scoped; the
device commands."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from gridgov.core.models import Role
from gridgov.sos.models import DutyShift, SosDevice, SosPress
from gridgov.sos.services import hash_token
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked_resident(world, elder):
    """The signed-in resident is 王秀英 of the register (the same phone number)."""
    world.resident.phone = elder.phone
    world.resident.save()
    return world.resident


def test_the_resident_presses_on_the_phone_page_and_follows_the_status(
    world, linked_resident, elder, login, django_capture_on_commit_callbacks
):
    client = login(linked_resident)
    page = client.get("/sos/")
    assert page.status_code == 200 and b"data-sos-button" in page.content
    # One tap alone sends nothing: the press needs its confirmation.
    assert client.post("/sos/press/").status_code == 302
    assert SosPress.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/sos/press/", {"confirmed": "yes"})
    press = SosPress.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sos/status/{press.uid}/"
    assert press.resident == elder and press.user == linked_resident and press.source == "page"
    assert press.case.reporter_user == linked_resident
    assert press.case.assignee_user == world.worker_a
    status = client.get(response["Location"])
    assert status.status_code == 200
    assert press.case.number.encode() in status.content
    assert b'data-level="1"' in status.content
    # The worker of the grid sees it; a worker of another grid does not.
    assert login(world.worker_a).get(response["Location"]).status_code == 200
    assert login(world.worker_b).get(response["Location"]).status_code == 404
    # Back on the button page, the open call is shown.
    assert b"data-sos-open" in client.get("/sos/").content


def test_a_resident_not_in_the_register_still_gets_help_at_home(world, login, taxonomy):
    client = login(world.resident)  # no phone: not linked, but lives in grid A
    client.post("/sos/press/", {"confirmed": "yes"})
    press = SosPress.objects.get()
    assert press.resident is None and press.area == world.grid_a
    assert press.case.assignee_user == world.worker_a


def test_a_person_with_no_home_cannot_press(world, login, taxonomy):
    stranger = UserFactory(username="stranger")
    client = login(stranger)
    assert b"data-sos-button" not in client.get("/sos/").content
    client.post("/sos/press/", {"confirmed": "yes"})
    assert SosPress.objects.count() == 0


def test_staff_of_the_community_register_a_device_and_see_the_token_once(world, elder, login):
    client = login(world.secretary)
    found = client.get("/sos/console/", {"q": "王秀"})
    assert f'data-resident="{elder.pk}"'.encode() in found.content
    response = client.post(f"/sos/console/residents/{elder.pk}/device/", {"label": "0002"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    device = SosDevice.objects.get(label="0002")
    token = response.content.decode().split("data-token>")[1].split("<")[0]
    assert token.startswith("sos_") and device.token_hash == hash_token(token)
    assert token not in client.get("/sos/console/").content.decode()  # never shown again
    client.post(f"/sos/console/devices/{device.uid}/revoke/")
    device.refresh_from_db()
    assert device.revoked_at is not None and device.revoked_by == world.secretary


def test_the_console_is_scoped_to_the_staffs_areas(world, device, login):
    other = UserFactory(username="secretary2")
    assign(other, Role.COMMUNITY_SECRETARY, world.community2)
    client = login(other)
    page = client.get("/sos/console/", {"q": "王秀"})
    assert page.status_code == 200
    assert str(device.uid).encode() not in page.content
    assert b"data-found" not in page.content
    assert client.post(f"/sos/console/devices/{device.uid}/revoke/").status_code == 404
    assert client.post(f"/sos/console/residents/{device.resident_id}/device/").status_code == 404
    device.refresh_from_db()
    assert device.revoked_at is None and SosDevice.objects.count() == 1
    # A grid worker does not manage devices at all.
    assert login(world.worker_a).get("/sos/console/").status_code == 403
    assert login(world.resident).get("/sos/console/duty/").status_code == 403


def test_the_duty_roster_takes_shifts_for_the_grids_in_scope_only(world, login):
    client = login(world.secretary)
    ok = client.post(
        "/sos/console/duty/",
        {
            "area": world.grid_a.pk,
            "user": world.worker_b.pk,
            "weekday": "0",
            "start_time": "08:00",
            "end_time": "20:00",
        },
    )
    assert ok.status_code == 302
    refused = client.post(
        "/sos/console/duty/",
        {
            "area": world.grid_c.pk,
            "user": world.worker_b.pk,
            "start_time": "08:00",
            "end_time": "20:00",
        },
    )
    assert refused.status_code == 400
    both = client.post(
        "/sos/console/duty/",
        {
            "area": world.grid_a.pk,
            "user": world.worker_b.pk,
            "weekday": "1",
            "date": "2026-03-03",
            "start_time": "08:00",
            "end_time": "20:00",
        },
    )
    assert both.status_code == 400
    assert DutyShift.objects.count() == 1
    shift = DutyShift.objects.get()
    assert b"data-shifts" in client.get("/sos/console/duty/").content
    client.post(f"/sos/console/duty/{shift.pk}/delete/")
    assert DutyShift.objects.count() == 0


def test_device_commands_create_list_and_revoke(elder):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "sos", "device", "create", str(elder.pk), "--label", "门口按钮", stdout=out, stderr=err
    )
    token = out.getvalue().strip()
    device = SosDevice.objects.get()
    assert token.startswith("sos_") and device.token_hash == hash_token(token)
    assert device.label == "门口按钮" and token not in device.token_hint + device.token_hash
    listing = io.StringIO()
    call_command("sos", "device", "list", stdout=listing)
    assert str(device.uid) in listing.getvalue() and "active" in listing.getvalue()
    call_command("sos", "device", "revoke", str(device.uid), stdout=io.StringIO())
    device.refresh_from_db()
    assert device.revoked_at is not None
    listing = io.StringIO()
    call_command("sos", "device", "list", stdout=listing)
    assert str(device.uid) not in listing.getvalue()
    with pytest.raises(Exception, match="no resident"):
        call_command("sos", "device", "create", "999999", stdout=io.StringIO())
