"""The grid worker on a phone (390×844): signs in, sees the to-do, claims a case, adds a photo
before the work and one after it (generated PNGs, resized by the page's own script), resolves it,
and the case shows as resolved."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from gridgov.cases.models import Category
from gridgov.cases.services import case_report
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.cases.workflow import transition
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), colour).save(buffer, format="PNG")  # a phone-sized photo
    return buffer.getvalue()


@pytest.fixture
def dispatched_case(world):
    load_default_taxonomy(Category)  # the transactional browser tests empty every table
    hallway = Category.objects.get(code="0101")
    case = case_report(
        actor=world.resident,
        channel="resident",
        category=hallway,
        title="三单元楼道堆满纸箱",
        area=world.grid_a,
    ).case
    case = transition(case=case, action="accept", actor=world.secretary)
    return transition(case=case, action="dispatch", actor=world.secretary)


def test_grid_worker_claims_photographs_and_resolves_on_a_phone(
    world, dispatched_case, phone_page: Page, screenshot
) -> None:
    page = phone_page
    sign_in(page, world.worker_a.username)
    page.goto("/w/")
    card = page.locator(f"[data-case='{dispatched_case.pk}']")
    expect(card).to_contain_text("三单元楼道堆满纸箱")
    expect(card.locator("[data-light]").first).to_have_attribute("data-light", "green")
    # One hand: the claim button and the tabs are big enough for a thumb.
    claim = card.locator("[data-claim]")
    assert claim.bounding_box()["height"] >= 48
    tab_box = page.locator(".tab-bar .tab").first.bounding_box()
    assert tab_box["height"] >= 48 and tab_box["y"] + tab_box["height"] <= 844
    screenshot(page, "grid-worker-todo-phone")

    claim.click()
    page.wait_for_url(re.compile(rf"/w/cases/{dispatched_case.pk}/$"))
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "claimed")

    page.locator("details[data-action=handle] summary").click()
    before = page.locator("input[name='handle-photos']")
    before.set_input_files(
        {"name": "before.png", "mimeType": "image/png", "buffer": png((180, 40, 40))}
    )
    # The page's own script shrank the photo to a JPEG of at most 1600 px before sending it.
    expect(before).to_have_attribute("data-resized", "1")
    assert before.evaluate("i => i.files[0].type") == "image/jpeg"
    page.locator("[data-submit=handle]").click()
    page.wait_for_load_state()
    expect(page.locator("[data-photos=before] img")).to_have_count(1)

    page.locator("details[data-action=resolve] summary").click()
    page.fill("textarea[name='resolve-text']", "纸箱已清走，楼道畅通")
    after = page.locator("input[name='resolve-photos']")
    after.set_input_files(
        {"name": "after.png", "mimeType": "image/png", "buffer": png((40, 160, 60))}
    )
    expect(after).to_have_attribute("data-resized", "1")
    page.locator("[data-submit=resolve]").click()
    page.wait_for_load_state()

    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "resolved")
    expect(page.locator("[data-photos=after] img")).to_have_count(1)
    expect(page.locator(".w-result")).to_contain_text("纸箱已清走")
    screenshot(page, "grid-worker-case-resolved-phone", full_page=True)

    page.goto("/w/")
    expect(page.locator(f"[data-case='{dispatched_case.pk}']")).to_have_count(0)
