"""One case through the pages, report to rating: the clerk enters a phone call, the dispatch
console sends it to its grid, the grid worker claims and resolves it with a note, the secretary
verifies and closes it, and the caller's rating is recorded after the call-back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from gridgov.cases.models import Category
from gridgov.cases.taxonomy import load_default_taxonomy
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def hallway(world) -> Category:
    load_default_taxonomy(Category)  # the transactional browser tests empty every table
    return Category.objects.get(code="0101")


def act(page: Page, action: str, **fields: str) -> None:
    """Open the action's panel on the case page, fill it in, confirm."""
    panel = page.locator(f"details[data-action={action}]")
    panel.locator("summary").click()
    for name, value in fields.items():
        field = panel.locator(f"[name='{action}-{name}']")
        if field.first.get_attribute("type") == "radio":
            panel.locator(f"[name='{action}-{name}'][value='{value}']").check()
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()


def status(page: Page) -> str:
    return page.get_attribute("[data-status]", "data-status")


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def test_a_case_from_report_to_rating_through_the_pages(world, hallway, page, screenshot):
    sign_in(page, world.secretary.username)
    page.goto("/cases/new/")
    page.select_option("select[name=channel]", "hotline")
    page.select_option("select[name=category]", str(hallway.pk))
    page.fill("input[name=title]", "三单元楼道堆满纸箱")
    page.fill("textarea[name=description]", "来电反映三单元楼道堆放纸箱，影响通行。")
    page.select_option("select[name=area]", str(world.grid_a.pk))
    page.fill("input[name=callback_phone]", "13900001111")
    page.click("[data-case-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case_url = page.url
    assert status(page) == "reported"
    assert "139****1111" in page.content() and "13900001111" not in page.content()

    page.goto("/cases/dispatch/")
    page.locator("input[name=cases]").first.check()
    page.click("button[name=operation][value=dispatch]")
    page.goto(case_url)
    assert status(page) == "dispatched"

    sign_out(page)
    sign_in(page, world.worker_a.username)
    page.goto("/cases/todo/")
    assert "三单元楼道堆满纸箱" in page.content()
    page.goto(case_url)
    act(page, "claim")
    assert status(page) == "claimed"
    act(page, "resolve", text="已联系住户清理纸箱，楼道已畅通。")
    assert status(page) == "resolved"
    assert page.locator("details[data-action=verify]").count() == 0  # not by the handler

    sign_out(page)
    sign_in(page, world.secretary.username)
    page.goto(case_url)
    act(page, "verify", passed="yes")
    assert status(page) == "verified"
    act(page, "close")
    assert status(page) == "closed"
    act(page, "rate", rating="5", text="回访满意")
    assert status(page) == "rated"
    events = page.locator("[data-timeline] [data-event]")
    actions = [events.nth(i).get_attribute("data-event") for i in range(events.count())]
    assert actions == [
        "report",
        "accept",
        "dispatch",
        "claim",
        "resolve",
        "verify",
        "close",
        "rate",
    ]
    screenshot(page, "case-rated", full_page=True)
