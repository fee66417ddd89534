"""A resident on a phone (390×844): signs in with a code from the text message (the log backend),
reports a problem with a photo from the gallery and the phone's location, follows it on "my
reports" while the staff handle it (service calls), and rates it."""

from __future__ import annotations

import io
import logging
import re
import threading

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from gridgov.areas.locator import locator
from gridgov.cases.models import Category
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.demo.geometry import Box

pytestmark = pytest.mark.browser

PHONE = "13912340000"
HERE = {"latitude": 30.005, "longitude": 120.005}  # inside grid A (WGS-84, what a phone gives)


class CodeCatcher(logging.Handler):
    """Reads sign-in codes from the log backend's lines, as a developer does in the demo."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.codes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r'"code": "(\d{6})"', record.getMessage())
        if found and "sign_in_code" in record.getMessage():
            self.codes.append(found.group(1))


@pytest.fixture
def grid_world(world, settings):
    """Taxonomy and polygons, committed before the browser starts."""
    load_default_taxonomy(Category)
    world.street.polygon = Box(119.99, 29.99, 120.03, 30.03).geojson()
    world.grid_a.polygon = Box(120.0, 30.0, 120.01, 30.01).geojson()
    world.grid_b.polygon = Box(120.01, 30.0, 120.02, 30.01).geojson()
    for area in (world.street, world.grid_a, world.grid_b):
        area.save()
    locator.invalidate()
    settings.GRIDGOV_NOTIFY_BACKENDS = {"sms": "log", "webhook": None}
    settings.GRIDGOV_NOTIFY_LOG_SECRETS = True
    yield world
    locator.invalidate()


@pytest.fixture
def codes():
    catcher = CodeCatcher()
    logger = logging.getLogger("gridgov.notifications")
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(catcher)
    yield catcher
    logger.removeHandler(catcher)
    logger.setLevel(previous)


def as_staff(function) -> None:
    """Run service calls in a thread of their own: Playwright's event loop holds this one."""
    errors: list[BaseException] = []

    def run() -> None:
        from django.db import connection

        try:
            function()
        except BaseException as error:  # re-raised in the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def gallery_photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (180, 120, 60)).save(buffer, "PNG")
    return {"name": "IMG_0001.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def test_a_resident_reports_with_a_photo_and_follows_it_to_rating(
    grid_world, codes, phone_page: Page, live_server, screenshot
):
    world = grid_world
    page = phone_page
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(HERE)

    page.goto("/m/")
    expect(page.locator("h1")).to_contain_text("身边有问题")
    page.goto("/m/login/?next=/m/report/")
    page.fill("input[name=phone]", PHONE)
    page.click("[data-phone-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/m/login/code/$"))
    expect(page.locator("[data-sent-to]")).to_contain_text("139****0000")
    assert len(codes.codes) == 1
    page.fill("input[name=code]", codes.codes[0])
    page.click("[data-code-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/m/report/$"))

    page.fill("textarea[name=description]", "楼道里堆满了纸箱，老人上下楼很不方便")
    expect(page.locator("[data-suggestion]")).to_contain_text("楼道杂物")
    hallway = page.locator("select[name=category] option:checked")
    expect(hallway).to_have_text("楼道杂物")
    page.click("[data-locate]")
    expect(page.locator("[data-location-status]")).to_have_text("已获取位置。")
    assert float(page.input_value("input[name=lon]")) == pytest.approx(120.005, abs=1e-6)
    page.set_input_files("input[data-photos]", files=[gallery_photo()])
    expect(page.locator("input[data-photos]")).to_have_attribute("data-resized", "1")
    # Resized in the browser: a JPEG no wider than 1600 px replaced the 2400 px PNG.
    name, width = page.eval_on_selector(
        "input[data-photos]",
        "input => [input.files[0].name, input.files[0].type]",
    )
    assert name == "IMG_0001.jpg" and width == "image/jpeg"
    page.fill("input[name=address]", "3号楼2单元")
    screenshot(page, "resident-report", full_page=True)
    page.click("[data-submit]")
    page.wait_for_url(re.compile(r"/m/mine/\d+/$"))
    case_url = page.url
    case_id = int(case_url.rstrip("/").rsplit("/", 1)[1])
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "reported")
    expect(page.locator("[data-photos] img")).to_have_count(1)

    def handle() -> None:
        from gridgov.cases.models import Case
        from gridgov.cases.workflow import transition

        case = Case.objects.get(pk=case_id)
        assert case.area_id == world.grid_a.pk and case.category.name == "楼道杂物"
        case = transition(case=case, action="accept", actor=world.secretary)
        case = transition(case=case, action="dispatch", actor=world.secretary, area=world.grid_a)
        case = transition(case=case, action="claim", actor=world.worker_a)
        transition(case=case, action="note", actor=world.worker_a, note="内部：联系物业王经理")
        case = transition(
            case=case, action="resolve", actor=world.worker_a, result="纸箱已清走，楼道畅通。"
        )
        case = transition(case=case, action="verify", actor=world.secretary, passed=True)
        transition(case=case, action="close", actor=world.secretary)

    as_staff(handle)

    page.goto("/m/mine/")
    expect(page.locator(f"[data-case-row='{case_id}'] [data-status]")).to_have_attribute(
        "data-status", "closed"
    )
    page.goto(case_url)
    timeline = page.locator("[data-timeline]")
    expect(timeline).to_contain_text("纸箱已清走，楼道畅通。")
    expect(timeline).not_to_contain_text("王经理")
    expect(timeline).not_to_contain_text(world.worker_a.full_name)
    page.locator("[data-rate] label.r-star", has_text="5").click()
    page.fill("[data-rate] textarea[name=comment]", "处理得很快，谢谢网格员")
    screenshot(page, "resident-rate", full_page=True)
    page.click("[data-rate] button[type=submit]")
    page.wait_for_url(case_url)
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "rated")
    expect(page.locator("[data-rating]")).to_contain_text("5 / 5")
