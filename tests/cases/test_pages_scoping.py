"""Scoping of the case pages: a case outside the user's scope does not exist for them (404) on
every page, action, list, export and console; a department sees only what it was summoned to."""

from __future__ import annotations

import io
import re

import pytest
from python_calamine import CalamineWorkbook

from gridgov.cases.models import Case, CaseEvent, CaseStatus
from gridgov.cases.workflow import transition

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def client_for(login):
    def make_client(user):
        client = login(user)
        client.cookies["gridgov_language"] = "en"
        return client

    return make_client


def run(case, action, actor, **payload):
    return transition(case=case, action=action, actor=actor, **payload)


def data_cases(response) -> set[int]:
    body = response.content.decode()
    return {int(pk) for pk in re.findall(r'<(?:tr|li)[^>]* data-case="(\d+)"', body)}


def rows_of(response) -> list[list]:
    content = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.fixture
def cases(world, report):
    """A dispatched case in each grid, and one dispatched to the handler's department."""
    grid_a = report(title="甲格案件", callback_phone=PHONE)
    grid_a = run(run(grid_a, "accept", world.secretary), "dispatch", world.secretary)
    grid_b = report(title="乙格案件", area=world.grid_b, callback_phone="13900001111")
    grid_b = run(run(grid_b, "accept", world.secretary), "dispatch", world.secretary)
    grid_c = report(title="丙格案件", area=world.grid_c)
    grid_c = run(run(grid_c, "accept", world.officer), "dispatch", world.officer)
    department = report(title="部门案件", area=world.grid_c)
    department = run(
        run(department, "accept", world.officer),
        "dispatch",
        world.officer,
        department=world.department,
    )
    return {"a": grid_a, "b": grid_b, "c": grid_c, "department": department}


def test_worker_b_gets_404_on_grid_a_case_and_its_actions(world, cases, client_for):
    case = cases["a"]
    client = client_for(world.worker_b)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    for action in ("claim", "note", "resolve", "accept", "teleport"):
        response = client.post(
            f"/cases/{case.pk}/act/{action}/",
            {f"{action}-expected_version": case.version, f"{action}-text": "x"},
        )
        assert response.status_code == 404, action
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.version) == (case.status, case.version)
    assert CaseEvent.objects.filter(case=case, actor=world.worker_b).count() == 0


def test_residents_do_not_use_the_console_pages(world, report, client_for):
    own = report()  # reported by the resident: visible to them, but not in the staff console
    client = client_for(world.resident)
    for url in (
        "/cases/",
        f"/cases/{own.pk}/",
        "/cases/todo/",
        "/cases/new/",
        "/cases/export.xlsx",
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(world, cases, client):
    response = client.get(f"/cases/{cases['a'].pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_handler_sees_only_summoned_cases(world, cases, client_for):
    client = client_for(world.handler)
    assert data_cases(client.get("/cases/")) == {cases["department"].pk}
    assert data_cases(client.get("/cases/desk/")) == {cases["department"].pk}
    assert data_cases(client.get("/cases/todo/")) == {cases["department"].pk}
    assert client.get(f"/cases/{cases['department'].pk}/").status_code == 200
    for other in ("a", "b", "c"):
        assert client.get(f"/cases/{cases[other].pk}/").status_code == 404
    rows = rows_of(client.get("/cases/export.xlsx"))
    assert [row[1] for row in rows[1:]] == ["部门案件"]


def test_lists_are_scoped_per_persona(world, cases, client_for):
    expected = {
        "worker_a": {"a"},
        "worker_b": {"b"},
        "secretary": {"a", "b"},
        "officer": {"a", "b", "c", "department"},
        "admin": {"a", "b", "c", "department"},
    }
    for persona, names in expected.items():
        listed = data_cases(client_for(getattr(world, persona)).get("/cases/"))
        assert listed == {cases[name].pk for name in names}, persona


def test_a_filter_naming_an_area_outside_the_scope_shows_nothing_of_it(world, cases, client_for):
    response = client_for(world.worker_a).get("/cases/", {"area": world.grid_b.pk})
    assert cases["b"].pk not in data_cases(response)


def test_the_export_is_scoped_and_masked(world, cases, client_for):
    rows = rows_of(client_for(world.worker_a).get("/cases/export.xlsx"))
    assert [row[1] for row in rows[1:]] == ["甲格案件"]
    text = str(rows)
    assert PHONE not in text and "13900001111" not in text
    assert "138****5678" in rows[1]


def test_the_todo_of_a_worker_holds_only_their_queue(world, cases, client_for):
    assert data_cases(client_for(world.worker_a).get("/cases/todo/")) == {cases["a"].pk}
    assert data_cases(client_for(world.worker_b).get("/cases/todo/")) == {cases["b"].pk}


def test_the_console_offers_only_cases_of_the_dispatchers_areas(world, report, client_for):
    mine = report()
    elsewhere = report(area=world.grid_c)
    client = client_for(world.secretary)
    assert data_cases(client.get("/cases/dispatch/")) == {mine.pk}
    # Posting the id of a case outside the secretary's areas changes nothing.
    response = client.post(
        "/cases/dispatch/",
        {"operation": "dispatch", "cases": [elsewhere.pk], f"version-{elsewhere.pk}": 0},
        follow=True,
    )
    assert "no longer waiting for dispatch" in response.content.decode()
    elsewhere.refresh_from_db()
    assert elsewhere.status == CaseStatus.REPORTED and elsewhere.version == 0


def test_a_merge_into_a_case_outside_the_scope_is_refused(world, report, cases, client_for):
    duplicate = report(title="重复")
    response = client_for(world.secretary).post(
        f"/cases/{duplicate.pk}/act/merge/",
        {"merge-expected_version": duplicate.version, "merge-into": cases["c"].number},
    )
    assert response.status_code == 400
    assert "No open case with this number in your areas." in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.REPORTED


def test_dispatch_selects_offer_only_visible_areas(world, report, client_for):
    case = run(report(), "accept", world.secretary)
    body = client_for(world.secretary).get(f"/cases/{case.pk}/").content.decode()
    dispatch_form = body.split('data-action="dispatch"', 1)[1].split("</details>", 1)[0]
    assert "东湖第一网格" in dispatch_form and "东湖第二网格" in dispatch_form
    assert "西苑第一网格" not in dispatch_form  # community 2 is outside the secretary's areas
    assert "和平街道城管执法队" in dispatch_form  # the street's department
    # An area outside the scope cannot be posted either.
    response = client_for(world.secretary).post(
        f"/cases/{case.pk}/act/dispatch/",
        {"dispatch-expected_version": case.version, "dispatch-area": world.grid_c.pk},
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_photos_are_linked_through_the_scoped_download(world, cases, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    client = client_for(world.worker_a)
    client.post(
        "/cases/new/",
        {
            "channel": "patrol",
            "category": cases["a"].category_id,
            "title": "带照片",
            "urgency": "normal",
            "area": world.grid_a.pk,
            "crs": "wgs84",
            "photos": [SimpleUploadedFile("a.png", png, content_type="image/png")],
        },
    )
    case = Case.objects.get(title="带照片")
    photo = case.attachments.get()
    assert client.get(f"/files/{photo.file_id}/").status_code == 200
    assert client_for(world.worker_b).get(f"/files/{photo.file_id}/").status_code == 404
