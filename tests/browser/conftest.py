"""Playwright (sync API) driving Debian's chromium against pytest-django's live server.

Django refuses database access from a thread that runs an event loop, and Playwright's sync API
runs one while it is started. So the world is built *before* the browser starts (the ``page``
fixtures depend on ``world``), Playwright is started per test and stopped before the database is
flushed, and test bodies talk to the server only through the browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.factories import PASSWORD, World, build_world

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

WORKBENCH_URL = re.compile(r"^https?://[^/]+/$")

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Expectations wait up to this long for the page to settle (a first page compiles templates).
expect.set_options(timeout=10_000)


@pytest.fixture
def world(transactional_db) -> World:
    """The personas, committed: the live server's thread must see them."""
    return build_world()


@pytest.fixture
def browser(world: World, live_server) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/system-packages)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def _new_page(browser: Browser, live_server, **options) -> Page:
    # An office PC in China sends Accept-Language zh-CN; gridgov answers in zh-hans.
    options.setdefault("locale", "zh-CN")
    options.setdefault("timezone_id", "Asia/Shanghai")
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A desktop page (1280×800) of an office PC."""
    page = _new_page(browser, live_server, viewport=DESKTOP)
    yield page
    page.context.close()


@pytest.fixture
def phone_page(browser: Browser, live_server) -> Iterator[Page]:
    """A phone page (390×844, touch) of a grid worker."""
    page = _new_page(
        browser,
        live_server,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    page.context.close()


@pytest.fixture
def screenshot():
    """``screenshot(page, name)`` saves test-artifacts/NAME.png (the folder is gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page: Page, name: str, full_page: bool = False) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/accounts/login/")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url(WORKBENCH_URL)


def render_as(user, template_code: str, path: str = "/", language: str = "zh-hans") -> str:
    """Render a template string for ``user`` as a view would (context processors included).

    For layouts no view uses yet. Call it before the browser starts: it queries the database.
    """
    from django.contrib.sessions.backends.db import SessionStore
    from django.template import engines
    from django.test import RequestFactory
    from django.utils import translation

    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionStore()
    with translation.override(language):
        request.LANGUAGE_CODE = language
        return engines["django"].from_string(template_code).render(request=request)
