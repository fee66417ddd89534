"""A resident living alone presses SOS on the phone (390×844): tap, confirm, "help is on the way";
nobody claims it, so the deadline rule passes it to the community and then to the street, and the
status page shows each step without a reload. The SOS claim time is shortened to one second."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from gridgov.cases.models import Category
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.registry.models import EmergencyContact, Resident
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def elder(world, settings):
    settings.GRIDGOV_SOS_CLAIM_SECONDS = 1
    settings.GRIDGOV_NOTIFY_BACKENDS = {"sms": "log", "webhook": None}
    load_default_taxonomy(Category)
    resident = Resident.objects.create(area=world.grid_a, name="王秀英", phone="13900000001")
    EmergencyContact.objects.create(resident=resident, name="李强", phone="13911112222")
    world.resident.phone = resident.phone  # the signed-in resident is her
    world.resident.save()
    return resident


def sweep() -> None:
    """What `gridgov sweep` (or the deadline job in `gridgov worker`) does, from this thread,
    where Playwright runs its event loop: Django is told the synchronous call is intended."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        call_command("sweep")
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def test_a_resident_presses_sos_and_sees_it_escalate(world, elder, phone_page, screenshot):
    page = phone_page
    sign_in(page, world.resident.username)
    page.goto("/sos/")
    button = page.locator("[data-sos-button]")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["width"] >= 200 and box["x"] >= 0 and box["x"] + box["width"] <= 390
    screenshot(page, "sos-button")
    button.click()  # a tap alone sends nothing: it asks to confirm
    expect(page.locator("[data-sos-confirm]")).to_be_visible()
    assert "/sos/status/" not in page.url
    page.click("[data-sos-send]")
    page.wait_for_url("**/sos/status/*/")
    status = page.locator("[data-sos-status]")
    expect(status).to_have_attribute("data-level", "1")
    expect(page.locator("[data-headline=waiting]")).to_be_visible()
    screenshot(page, "sos-help-on-the-way")

    page.wait_for_timeout(1500)  # the shortened claim time passes with nobody claiming
    sweep()
    expect(page.locator("[data-sos-status]")).to_have_attribute("data-level", "2", timeout=12_000)
    expect(page.locator("[data-step=community]")).to_have_class("is-current")
    page.wait_for_timeout(1500)
    sweep()
    expect(page.locator("[data-sos-status]")).to_have_attribute("data-level", "3", timeout=12_000)
    assert page.locator("[data-event=escalate]").count() == 2
    screenshot(page, "sos-escalated-to-street")
