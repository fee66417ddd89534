"""The pages' own scripts use the signed-in session; unsafe methods need the CSRF token. The docs
page works offline (Swagger UI from our own static files)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gridgov.cases.models import Case

pytestmark = pytest.mark.django_db

REPORT = {"category": "0101", "title": "楼道堆放杂物"}


@pytest.fixture
def session(world, taxonomy, login):
    client = login(world.worker_a)
    client.handler.enforce_csrf_checks = True
    return client


def post(client: Client, path: str, body: dict, **headers: str):
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def test_session_reads_without_csrf(world, session):
    response = session.get("/api/v1/me")
    assert response.status_code == 200 and response.json()["username"] == "worker_a"


def test_session_writes_need_the_csrf_token(world, session):
    body = {**REPORT, "area": world.grid_a.code}
    refused = post(session, "/api/v1/cases", body)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert Case.objects.count() == 0
    session.get("/api/v1/docs")  # any page with a form sets the CSRF cookie
    token = session.cookies["csrftoken"].value
    wrong = post(session, "/api/v1/cases", body, **{"X-CSRFToken": "x" * 32})
    assert wrong.status_code == 403
    accepted = post(session, "/api/v1/cases", body, **{"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.content
    assert Case.objects.get().created_by == world.worker_a


def test_a_token_needs_no_csrf_even_beside_a_session(world, session, api):
    from gridgov.api.tokens import token_create

    _token, key = token_create(user=world.secretary)
    response = post(
        session,
        "/api/v1/cases",
        {**REPORT, "area": world.grid_b.code},
        Authorization=f"Bearer {key}",
    )
    # The token speaks for the secretary (grid B is theirs), not for the session's grid worker.
    assert response.status_code == 201
    assert Case.objects.get().created_by == world.secretary


def test_without_session_or_token_a_write_is_401_not_403(world, taxonomy):
    client = Client(enforce_csrf_checks=True)
    response = post(client, "/api/v1/cases", REPORT)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_docs_page_loads_swagger_from_our_own_static_files(world, taxonomy):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    from django.contrib.staticfiles import finders

    assert finders.find("ninja/swagger-ui-bundle.js") and finders.find("ninja/swagger-ui.css")
