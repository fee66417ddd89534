"""Two-factor sign-in (TOTP): enrolment, the two-step login, required roles, removal.

Codes are computed from the device's key with django_otp.oath.totp, at frozen times, so that each
step uses a code of its own time step (a code is accepted once only).
"""

from __future__ import annotations

import datetime
import re
from base64 import b32encode

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
ENROL = "/accounts/2fa/"
REMOVE = "/accounts/2fa/remove/"
START = timezone.now().replace(microsecond=0)


def at(seconds: int) -> datetime.datetime:
    return START + datetime.timedelta(seconds=seconds)


def code_for(device: TOTPDevice, when: datetime.datetime, step_offset: int = 0) -> str:
    with freeze_time(when + datetime.timedelta(seconds=device.step * step_offset)):
        return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code_for(device: TOTPDevice, when: datetime.datetime) -> str:
    # Not any code of the window the device accepts (one step either side).
    accepted = {code_for(device, when, offset) for offset in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def english(client: Client) -> Client:
    client.cookies["gridgov_language"] = "en"
    return client


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def enrol(client: Client, when: datetime.datetime) -> TOTPDevice:
    """Open the enrol page and confirm it with a current code; returns the confirmed device."""
    with freeze_time(when):
        assert client.get(ENROL).status_code == 200
        device = TOTPDevice.objects.get(confirmed=False)
        response = client.post(ENROL, {"code": code_for(device, when)})
        assert response.status_code == 302, response.content.decode()[:2000]
    device.refresh_from_db()
    assert device.confirmed
    return device


# --- Enrolment ----------------------------------------------------------------------------------------


def test_enrol_page_shows_a_local_qr_code_and_the_key(world, login):
    client = login(world.officer)

    response = client.get(ENROL)

    assert response.status_code == 200
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=world.officer)
    assert not device.confirmed
    assert re.search(r"<svg[^>]*class=\"segno\"", page)  # drawn inline here
    assert 'src="http' not in page  # no external QR service sees the key
    key = b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(key[i : i + 4] for i in range(0, len(key), 4)) in page
    # Reloading keeps the same key, so a QR code already scanned stays valid.
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=world.officer).count() == 1


def test_enrolment_needs_a_current_code_and_turns_the_session_verified(world, login):
    client = english(login(world.officer))
    with freeze_time(at(0)):
        client.get(ENROL)
        device = TOTPDevice.objects.get(user=world.officer)
        response = client.post(ENROL, {"code": wrong_code_for(device, at(0))})

    assert response.status_code == 200
    assert "This code is wrong or has expired." in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert DEVICE_ID_SESSION_KEY not in client.session

    with freeze_time(at(60)):  # past django-otp's one-second wait after a wrong code
        response = client.post(ENROL, {"code": code_for(device, at(60))})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    page = client.get(ENROL).content.decode()
    assert "Two-factor sign-in is on" in page
    assert 'class="segno"' not in page  # neither the QR code nor the key is shown again
    assert device.bin_key and "manual-key" not in page


def test_a_code_with_letters_is_a_form_error(world, login):
    client = english(login(world.officer))
    client.get(ENROL)

    response = client.post(ENROL, {"code": "12ab56"})

    assert response.status_code == 200
    assert "Enter the six digits shown in your authenticator app." in response.content.decode()
    assert not TOTPDevice.objects.get(user=world.officer).confirmed


# --- Two-step sign-in -------------------------------------------------------------------------------


def test_login_asks_for_the_code_after_the_password(world, login):
    device = enrol(login(world.officer), at(0))
    client = english(Client())

    with freeze_time(at(90)):
        response = sign_in(client, "officer")
        assert response.status_code == 302
        assert response["Location"] == CODE
        assert signed_in_user_id(client) is None  # the password alone opens nothing
        assert client.get("/").status_code == 302

        page = client.get(CODE).content.decode()
        assert "Enter your code" in page

        response = client.post(CODE, {"code": code_for(device, at(90))})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(world.officer.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # OTP-verified
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_message(world, login):
    device = enrol(login(world.officer), at(0))
    client = english(Client())

    with freeze_time(at(90)):
        sign_in(client, "officer")
        response = client.post(CODE, {"code": wrong_code_for(device, at(90))})

    assert response.status_code == 200
    assert "This code is wrong or has expired." in response.content.decode()
    assert signed_in_user_id(client) is None
    world.officer.refresh_from_db()
    assert world.officer.last_login is not None  # from the enrolling session only
    with freeze_time(at(90)):
        # Straight after a wrong code django-otp makes the user wait (1 s, doubling with each
        # further wrong code); even the right code waits, and the page says so.
        response = client.post(CODE, {"code": code_for(device, at(90))})
    assert (
        "Too many wrong codes. Wait 1 second, then enter the current code."
        in response.content.decode()
    )
    assert signed_in_user_id(client) is None
    with freeze_time(at(95)):
        response = client.post(CODE, {"code": code_for(device, at(95))})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(world.officer.pk)


def test_a_code_is_accepted_only_once(world, login):
    device = enrol(login(world.officer), at(0))
    code = code_for(device, at(90))
    with freeze_time(at(90)):
        first = Client()
        sign_in(first, "officer")
        assert first.post(CODE, {"code": code}).status_code == 302

        second = Client()
        sign_in(second, "officer")
        response = second.post(CODE, {"code": code})

    assert response.status_code == 200
    assert signed_in_user_id(second) is None


def test_the_code_step_keeps_the_requested_page(world, login):
    device = enrol(login(world.officer), at(0))
    client = Client()
    with freeze_time(at(90)):
        client.post(LOGIN, {"username": "officer", "password": PASSWORD, "next": "/areas/"})
        response = client.post(CODE, {"code": code_for(device, at(90))})

    assert response["Location"] == "/areas/"


def test_a_half_finished_login_expires(world, login):
    device = enrol(login(world.officer), at(0))
    client = Client()
    with freeze_time(at(90)):
        sign_in(client, "officer")
    with freeze_time(at(90 + 6 * 60)):
        response = client.post(CODE, {"code": code_for(device, at(90 + 6 * 60))})

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert signed_in_user_id(client) is None


def test_the_code_page_without_a_password_step_sends_to_login(world):
    response = Client().get(CODE)

    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_a_session_opened_without_the_code_is_ended(world, login):
    enrol(login(world.officer), at(0))
    client = Client()
    client.force_login(world.officer)  # any path around the login view

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert signed_in_user_id(client) is None


# --- Required roles ----------------------------------------------------------------------------------


def test_required_roles_must_enrol_before_anything_else(world, login, settings):
    settings.GRIDGOV_REQUIRE_2FA_ROLES = ["admin", "street_officer"]
    client = english(login(world.officer))

    response = client.get("/areas/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/?next=%2Fareas%2F"
    api = client.get("/areas/", HTTP_ACCEPT="application/json")
    assert api.status_code == 403
    assert api.json()["code"] == "second_factor_required"
    page = client.get(response["Location"]).content.decode()
    assert "Your role requires two-factor sign-in." in page

    with freeze_time(at(0)):
        device = TOTPDevice.objects.get(user=world.officer)
        response = client.post(ENROL, {"code": code_for(device, at(0)), "next": "/areas/"})
    assert response["Location"] == "/areas/"
    assert client.get("/areas/").status_code == 200


def test_staff_count_as_admin_for_the_requirement(world, login, settings):
    settings.GRIDGOV_REQUIRE_2FA_ROLES = ["admin"]
    client = login(world.admin)

    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/")


def test_other_roles_are_not_asked(world, login, settings):
    settings.GRIDGOV_REQUIRE_2FA_ROLES = ["street_officer"]
    client = login(world.worker_a)

    assert client.get("/").status_code == 200
    assert not TOTPDevice.objects.filter(user=world.worker_a).exists()


# --- Removal -------------------------------------------------------------------------------------------


def test_removing_the_authenticator_needs_the_password(world, login):
    client = english(login(world.officer))
    enrol(client, at(0))

    response = client.post(REMOVE, {"password": "not-the-password"})
    assert response.status_code == 200
    assert "This password is wrong." in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.officer, confirmed=True).exists()

    response = client.post(REMOVE, {"password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.officer).exists()
    assert DEVICE_ID_SESSION_KEY not in client.session

    # Sign-in is back to the password alone.
    fresh = Client()
    assert sign_in(fresh, "officer")["Location"] == "/"
    assert signed_in_user_id(fresh) == str(world.officer.pk)


@pytest.mark.parametrize("method", ["get", "put"])
def test_removal_only_answers_post(world, login, method):
    client = login(world.officer)
    enrol(client, at(0))

    response = getattr(client, method)(REMOVE)

    assert response.status_code == 405
    assert TOTPDevice.objects.filter(user=world.officer, confirmed=True).exists()
