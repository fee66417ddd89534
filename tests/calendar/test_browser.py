"""The calendar page in Debian's chromium: a street officer turns a day into a holiday."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import conftest as browser_test

# The browser fixtures live in tests/browser/conftest.py; a module-level name makes them ours.
world = browser_test.world
browser = browser_test.browser
page = browser_test.page
screenshot = browser_test.screenshot
sign_in = browser_test.sign_in

pytestmark = pytest.mark.browser


def test_an_officer_marks_a_holiday_in_an_unknown_year(page, screenshot):
    sign_in(page, "officer")
    page.goto("/calendar/2027/")
    expect(page.locator("[data-calendar-unknown]")).to_be_visible()
    page.locator('td[data-date="2027-10-01"] a').click()
    form = page.locator("#edit form")
    expect(form.locator('input[name="is_workday"][value="0"]')).to_be_checked()
    form.locator('input[name="name"]').fill("国庆节")
    form.locator('input[name="note"]').fill("国务院办公厅通知")
    form.locator("button[type=submit]").click()
    day = page.locator('td[data-date="2027-10-01"]')
    expect(day).to_have_attribute("data-workday", "0")
    expect(day).to_contain_text("国庆节")
    expect(page.locator("[data-calendar-unknown]")).to_have_count(0)
    screenshot(page, "calendar-year", full_page=True)
