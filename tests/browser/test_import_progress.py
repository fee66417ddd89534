"""An import from the web in a real browser: upload, the progress bar polls while the job waits
for the worker, the worker runs it, the bar completes and the result workbook is offered."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from gridgov.registry.models import Resident
from gridgov.registry.models_imports import ImportJob
from tests.browser.conftest import sign_in
from tests.registry.test_import import ZHANG, person, resident_row, workbook

pytestmark = pytest.mark.browser


def test_upload_shows_progress_until_the_worker_finishes(world, page, tmp_path, screenshot):
    source = workbook(
        tmp_path / "居民.xlsx",
        [
            resident_row("张秀英", ZHANG, "13812345678", tags="独居老人"),
            resident_row("李强", person(1)),
            resident_row("坏行", "123456"),  # a bad ID number: rejected with its reason
        ],
    )
    sign_in(page, world.secretary.username)
    page.goto("/registry/imports/")
    page.select_option("select[name=kind]", "residents")
    page.set_input_files("input[name=file]", str(source))
    page.click("[data-import-form] button[type=submit]")
    page.wait_for_url("**/registry/imports/*/")
    progress = page.locator("#import-progress")
    assert progress.get_attribute("data-import-status") == "queued"
    assert page.locator("#import-progress progress").count() == 1
    screenshot(page, "import-queued")

    # The worker takes the job, as `gridgov worker` would. Playwright's event loop runs in this
    # thread, so Django needs to be told that a synchronous database call here is intended.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        call_command("db_worker", batch=True, interval=0)
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]

    # No reload: htmx polls the progress partial and swaps it in when the job is done.
    page.wait_for_selector('#import-progress[data-import-status="done"]', timeout=10_000)
    bar = page.locator("#import-progress progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "3"
    assert page.inner_text("[data-accepted]") == "2"
    assert page.inner_text("[data-rejected]") == "1"
    assert page.locator("[data-result]").count() == 1
    screenshot(page, "import-done")

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        assert set(Resident.objects.values_list("name", flat=True)) == {"张秀英", "李强"}
        assert ImportJob.objects.get().status == "done"
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
