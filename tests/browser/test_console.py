"""The staff console shell in a real browser: sign-in, language, navigation, scoping, phones.

Labels of our own are asserted in English only: the zh_Hans catalogue comes later and would turn
them into Chinese. In Chinese the tests rely on the ``lang`` attribute, on data from the world
(names of people and places, which are Chinese already) and on stable attributes (URLs).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import WORKBENCH_URL, render_as, sign_in
from tests.factories import World

pytestmark = pytest.mark.browser

AREA_TREE = 'a.nav-link[href="/areas/"]'


def html(page: Page):
    return page.locator("html")


def area_names(page: Page) -> list[str]:
    return page.locator("table[data-areas] tbody tr td:nth-child(2)").all_inner_texts()


def test_secretary_signs_in_switches_language_and_sees_only_their_areas(
    page: Page, world: World, screenshot
) -> None:
    page.goto("/accounts/login/")
    expect(html(page)).to_have_attribute("lang", "zh-hans")
    # The language switch is on the sign-in page too.
    expect(page.get_by_role("button", name="English")).to_be_visible()
    expect(page.get_by_role("button", name="简体中文")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "login-desktop")

    sign_in(page, "secretary")
    expect(html(page)).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".topbar .user-name")).to_have_text("社区书记")
    expect(page.locator(".topbar .user-roles")).to_contain_text("东湖社区")
    expect(page.locator(".role-card")).to_have_count(1)
    expect(page.locator(".role-card")).to_contain_text("东湖社区")
    expect(page.locator(f"#sidebar {AREA_TREE}")).to_be_visible()
    # The back office is for staff accounts only.
    expect(page.locator('#sidebar [data-module="system"]')).to_have_count(0)
    screenshot(page, "workbench-desktop-zh")

    page.get_by_role("button", name="English").click()
    expect(html(page)).to_have_attribute("lang", "en")
    expect(page).to_have_url(WORKBENCH_URL)  # set_language returns to the page it came from
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("#sidebar").get_by_role("link", name="Area tree")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 社区书记")
    screenshot(page, "workbench-desktop-en")

    page.get_by_role("button", name="简体中文").click()
    expect(html(page)).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("button", name="简体中文")).to_have_attribute("aria-pressed", "true")

    page.locator(f"#sidebar {AREA_TREE}").click()
    page.wait_for_url("**/areas/")
    expect(page.locator(f"#sidebar {AREA_TREE}")).to_have_attribute("aria-current", "page")
    expect(page.locator("table[data-areas] tbody tr")).to_have_count(3)
    assert sorted(area_names(page)) == sorted(["东湖社区", "东湖第一网格", "东湖第二网格"])
    expect(page.locator("main")).not_to_contain_text("西苑")
    screenshot(page, "areas-desktop-zh")

    page.locator("input[name=q]").fill("第二")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("table[data-areas] tbody tr")).to_have_count(1)
    assert area_names(page) == ["东湖第二网格"]

    page.goto("/areas/")
    page.locator("select[name=level]").select_option("grid")  # submits by itself
    expect(page).to_have_url(re.compile(r"[?&]level=grid"))
    expect(page.locator("table[data-areas] tbody tr")).to_have_count(2)

    page.goto(f"/areas/{world.community1.pk}/")
    crumbs = page.locator("nav.breadcrumb li")
    expect(crumbs).to_have_count(4)  # area tree / district / street / community
    # Ancestors above the secretary's community are named but not linked (they would answer 404).
    expect(crumbs.nth(1).locator("a")).to_have_count(0)
    expect(crumbs.nth(2)).to_have_text("和平街道")
    expect(page.locator("table[data-children] tbody tr")).to_have_count(2)
    expect(page.locator(f"#sidebar {AREA_TREE}")).to_have_attribute("aria-current", "page")
    screenshot(page, "area-detail-desktop-zh")

    # An area outside the scope does not exist for the secretary: a friendly 404 in the shell.
    response = page.goto(f"/areas/{world.community2.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator(".error-page")).to_have_attribute("data-status", "404")
    expect(html(page)).to_have_attribute("lang", "zh-hans")
    expect(page.locator(f"#sidebar {AREA_TREE}")).to_be_visible()
    screenshot(page, "error-404-desktop-zh")

    page.get_by_role("button", name="English").click()
    expect(html(page)).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")
    expect(page.locator("form:has(input[name=password])")).to_be_visible()


def test_grid_worker_opens_the_navigation_on_a_phone(
    phone_page: Page, world: World, screenshot
) -> None:
    page = phone_page
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    screenshot(page, "login-phone-zh")

    sign_in(page, "worker_a")
    expect(html(page)).to_have_attribute("lang", "zh-hans")
    menu = page.locator("button[data-nav-toggle]")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.locator(f"#sidebar {AREA_TREE}")).to_be_hidden()
    expect(page.locator(".role-card")).to_contain_text("东湖第一网格")
    screenshot(page, "workbench-phone-zh")

    menu.tap()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"#sidebar {AREA_TREE}")).to_be_visible()
    expect(page.locator("#sidebar .sidebar-account")).to_contain_text("网格员甲")
    # The drawer slides in; wait until it is fully on screen before the screenshot.
    page.wait_for_function("document.getElementById('sidebar').getBoundingClientRect().left >= 0")
    screenshot(page, "navigation-open-phone-zh")

    page.keyboard.press("Escape")
    expect(page.locator(f"#sidebar {AREA_TREE}")).to_be_hidden()
    menu.tap()
    page.locator(f"#sidebar {AREA_TREE}").tap()
    page.wait_for_url("**/areas/")
    expect(page.locator(f"#sidebar {AREA_TREE}")).to_be_hidden()
    assert area_names(page) == ["东湖第一网格"]
    screenshot(page, "areas-phone-zh")


def test_admin_reaches_the_back_office_from_the_console(page: Page, world: World) -> None:
    sign_in(page, "admin")
    system = page.locator('#sidebar [data-module="system"]')
    expect(system).to_be_visible()
    system.locator('a[href="/admin/"]').click()
    page.wait_for_url("**/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    # Every area is the admin's: the district, the street, two communities, three grids.
    page.goto("/areas/")
    expect(page.locator("table[data-areas] tbody tr")).to_have_count(7)


MOBILE_SAMPLE = """{% extends "layouts/mobile.html" %}{% load gridgov_ui %}
{% block title %}Sample{% endblock %}
{% block content %}
<h1>东湖第一网格</h1>
<ul class="m-list">
  <li><a href="/areas/">{% icon "location" %}<span>东湖路 12 号院</span></a></li>
  <li><a href="/areas/">{% icon "building" %}<span>3 号楼 2 单元</span></a></li>
</ul>
<a class="m-fab" href="/areas/">{% icon "plus" %}<span>上报</span></a>
{% endblock %}
{% block tabs %}
{% include "layouts/_tab.html" with url="/" label="工作台" icon="home" %}
{% include "layouts/_tab.html" with url="/areas/" label="网格" icon="grid" badge=3 %}
{% include "layouts/_tab.html" with url="/me/" label="我的" icon="user" %}
{% endblock %}
"""


@pytest.fixture
def mobile_sample(world: World) -> str:
    """A page on the phone layout, rendered before the browser starts (rendering queries)."""
    return render_as(world.worker_a, MOBILE_SAMPLE, path="/areas/")


def test_mobile_layout_fits_one_hand_at_390_by_844(
    mobile_sample: str, phone_page: Page, screenshot
) -> None:
    page = phone_page
    page.goto("/accounts/login/")  # same origin, so the layout's static files load
    page.set_content(mobile_sample)
    expect(html(page)).to_have_attribute("lang", "zh-hans")
    tabs = page.locator(".tab-bar .tab")
    expect(tabs).to_have_count(3)
    expect(tabs.nth(1)).to_have_attribute("aria-current", "page")
    # The tab bar sits at the bottom of the screen, and every tab is a large touch target.
    for index in range(3):
        box = tabs.nth(index).bounding_box()
        assert box is not None
        assert box["height"] >= 48 and box["width"] >= 88
        assert box["y"] + box["height"] == pytest.approx(844, abs=1)
    # The language switch and the account menu stay in reach.
    expect(page.get_by_role("button", name="English")).to_be_visible()
    page.locator(".account-menu summary").tap()
    expect(page.locator(".account-sheet")).to_contain_text("网格员甲")
    expect(page.locator(".account-sheet")).to_contain_text("东湖第一网格")
    screenshot(page, "mobile-layout-phone-zh")
