"""Stored files: checked on the way in, downloaded only through the scoped view with a session."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.utils import translation

from gridgov.core.files import clean_original_name, sniff_content_type, stored_file_create
from gridgov.core.models import StoredFile

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def upload(
    name: str = "report.pdf",
    content: bytes = b"%PDF-1.7 hello",
    content_type: str = "application/pdf",
):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- stored_file_create --------------------------------------------------------------------------


def test_a_file_is_stored_under_a_random_name_with_its_checksum(world, settings):
    content = b"%PDF-1.7 the minutes of the joint meeting"
    stored = stored_file_create(
        upload=upload("会议纪要.pdf", content), area=world.grid_a, actor=world.worker_a
    )
    stored.refresh_from_db()
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    assert stored.content_type == "application/pdf"
    assert stored.original_name == "会议纪要.pdf"
    assert stored.uploaded_by == world.worker_a
    assert stored.area == world.grid_a
    assert stored.file.name.startswith("files/")
    assert stored.file.name.endswith(stored.id.hex)
    assert "会议" not in stored.file.name
    with stored.file.open("rb") as handle:
        assert handle.read() == content


def test_identifiers_in_file_names_are_masked(world):
    stored = stored_file_create(
        upload=upload("../../110101199003074578 张三 13812345678.jpg", JPEG, "image/jpeg"),
        area=world.grid_a,
        actor=world.worker_a,
    )
    assert stored.original_name == "110101********4578 张三 138****5678.jpg"
    assert "/" not in clean_original_name("a/b\\c.txt")
    assert clean_original_name("\x00\x1b[31m.txt") == "[31m.txt"


@pytest.mark.parametrize(
    ("content", "claimed", "stored_as"),
    [
        (PNG, "image/png", "image/png"),
        (PNG, "text/html", "image/png"),  # the bytes decide
        (JPEG, "image/png", "image/jpeg"),
        (b"<svg onload=alert(1)>", "image/svg+xml", "application/octet-stream"),
        (b"<html><script>alert(1)</script>", "text/html", "application/octet-stream"),
        (b"not really a png", "image/png", "application/octet-stream"),
        (b"a,b\n1,2\n", "text/csv", "text/csv"),
        (b"a,b\n1,2\n", "", "application/octet-stream"),
    ],
)
def test_content_type_comes_from_the_bytes_not_the_claim(content, claimed, stored_as):
    assert sniff_content_type(content[:16], claimed) == stored_as


def test_oversize_files_are_refused_with_a_clear_message(world, settings):
    settings.GRIDGOV_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        stored_file_create(
            upload=upload(content=b"%PDF-" + b"x" * 20), area=None, actor=world.worker_a
        )
    assert caught.value.code == "too_large"
    with translation.override("en"):
        assert caught.value.messages == ["The file is larger than the limit of 10\xa0bytes."]
    assert not StoredFile.objects.exists()
    assert media_files(settings) == []


def test_a_declared_size_that_lies_does_not_pass(world, settings):
    settings.GRIDGOV_MAX_UPLOAD_BYTES = 10
    lying = InMemoryUploadedFile(io.BytesIO(b"x" * 100), None, "small.txt", "text/plain", 5, None)
    with pytest.raises(ValidationError) as caught:
        stored_file_create(upload=lying, area=None, actor=world.worker_a)
    assert caught.value.code == "too_large"
    assert not StoredFile.objects.exists()


def test_empty_files_are_refused(world, settings):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        stored_file_create(upload=upload(content=b""), area=None, actor=world.worker_a)
    assert caught.value.code == "empty"
    assert caught.value.messages == ["The file is empty."]
    assert not StoredFile.objects.exists()
    assert media_files(settings) == []


def test_a_file_for_an_area_outside_the_scope_is_refused(world, settings):
    with pytest.raises(PermissionDenied):
        stored_file_create(upload=upload(), area=world.grid_b, actor=world.worker_a)
    assert not StoredFile.objects.exists()
    assert media_files(settings) == []


def test_the_audit_log_records_the_upload_without_identifiers(world):
    from auditlog.models import LogEntry

    stored = stored_file_create(
        upload=upload("13812345678.pdf"), area=world.grid_a, actor=world.worker_a
    )
    [entry] = LogEntry.objects.get_for_object(stored)
    assert entry.action == LogEntry.Action.CREATE
    assert "13812345678" not in str(entry.changes)


# --- download -------------------------------------------------------------------------------


@pytest.fixture
def grid_a_file(world) -> StoredFile:
    return stored_file_create(
        upload=upload("名单.xlsx", b"PK\x03\x04 spreadsheet", "application/vnd.ms-excel"),
        area=world.grid_a,
        actor=world.worker_a,
    )


def url(stored: StoredFile) -> str:
    return f"/files/{stored.id}/"


def test_anonymous_download_goes_to_the_login(client, grid_a_file):
    response = client.get(url(grid_a_file))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_download_in_scope(world, login, grid_a_file):
    for user in (world.worker_a, world.secretary, world.officer, world.admin):
        response = login(user).get(url(grid_a_file))
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == b"PK\x03\x04 spreadsheet"
        assert response["Content-Disposition"].startswith("attachment")
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


def test_download_of_another_area_is_404(world, login, grid_a_file):
    # Grid B's worker, a department handler, and a resident of grid A (who owns no such file).
    for user in (world.worker_b, world.handler):
        assert login(user).get(url(grid_a_file)).status_code == 404


def test_download_of_an_unknown_file_is_404(world, login):
    assert login(world.admin).get("/files/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_images_show_inline_everything_else_downloads(world, login):
    image = stored_file_create(
        upload=upload("photo.png", PNG, "image/png"), area=world.grid_a, actor=world.worker_a
    )
    page = stored_file_create(
        upload=upload("page.html", b"<script>alert(1)</script>", "text/html"),
        area=world.grid_a,
        actor=world.worker_a,
    )
    client = login(world.worker_a)
    shown = client.get(url(image))
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    attached = client.get(url(page))
    assert attached["Content-Type"] == "application/octet-stream"
    assert attached["Content-Disposition"].startswith("attachment")


def test_a_file_without_area_is_its_uploaders_only(world, login):
    own = stored_file_create(upload=upload(), area=None, actor=world.resident)
    assert login(world.resident).get(url(own)).status_code == 200
    assert login(world.worker_a).get(url(own)).status_code == 404


def test_missing_bytes_answer_404(world, login, grid_a_file):
    grid_a_file.file.storage.delete(grid_a_file.file.name)
    assert login(world.worker_a).get(url(grid_a_file)).status_code == 404


def test_download_is_get_only(world, login, grid_a_file):
    assert login(world.worker_a).post(url(grid_a_file)).status_code == 405


def test_a_summoned_department_downloads_its_cases_photos_and_no_others(world, login):
    """The case page shows a summoned department the case's photos: the files must open too."""
    from gridgov.cases.models import Category
    from gridgov.cases.services import case_report
    from gridgov.cases.taxonomy import load_default_taxonomy
    from gridgov.cases.workflow import transition

    load_default_taxonomy(Category)
    hallway = Category.objects.get(code="0101")

    def reported(title):
        photo = stored_file_create(
            upload=upload("photo.png", PNG, "image/png"), area=world.grid_c, actor=world.officer
        )
        case = case_report(
            actor=world.officer,
            channel="patrol",
            category=hallway,
            title=title,
            area=world.grid_c,
            photos=[photo],
        ).case
        return transition(case=case, action="accept", actor=world.officer), photo

    summoned, summoned_photo = reported("占道经营")
    transition(case=summoned, action="dispatch", actor=world.officer, department=world.department)
    other, other_photo = reported("楼道杂物")
    transition(case=other, action="dispatch", actor=world.officer, area=world.grid_c)
    handler = login(world.handler)
    assert handler.get(url(summoned_photo)).status_code == 200
    assert handler.get(url(other_photo)).status_code == 404
    assert login(world.worker_a).get(url(summoned_photo)).status_code == 404
