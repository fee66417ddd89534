"""Answers (successes and errors) validate against the OpenAPI schema the API serves itself; errors
share one JSON shape everywhere under /api/v1/."""

from __future__ import annotations

import io
import re

import jsonschema
import pytest
from django.test import Client
from PIL import Image

from gridgov.cases.workflow import transition
from gridgov.registry.models import Courtyard, House, HouseUse

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"code", "message", "message_zh", "message_en", "details"}


@pytest.fixture
def openapi(world, taxonomy):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    return schema


def _operation(openapi: dict, method: str, path: str) -> dict:
    for template, operations in openapi["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method in operations:
            return operations[method]
    raise AssertionError(f"{method.upper()} {path} is not in the schema")


def conforms(openapi: dict, method: str, path: str, response) -> None:
    operation = _operation(openapi, method, path)
    declared = operation["responses"].get(str(response.status_code))
    assert declared is not None, f"{response.status_code} not declared for {method} {path}"
    content = declared.get("content", {}).get("application/json")
    if content is None:
        return
    schema = {**content["schema"], "components": openapi["components"]}
    jsonschema.validate(response.json(), schema, cls=jsonschema.Draft202012Validator)


def test_every_answer_conforms(world, api, report, openapi):
    House.objects.create(area=world.grid_a, address="东湖路1号", use=HouseUse.RENTED)
    Courtyard.objects.create(area=world.grid_a, code="Y1", name="甲院", address="甲路1号")
    case = report()
    transition(case=case, action="accept", actor=world.secretary)
    secretary, worker_b = api(world.secretary), api(world.worker_b)
    gets = [
        "/api/v1/me",
        "/api/v1/areas",
        f"/api/v1/areas/{world.grid_a.code}",
        f"/api/v1/areas/{world.community1.code}/children",
        "/api/v1/residents",
        "/api/v1/houses",
        "/api/v1/courtyards",
        "/api/v1/categories",
        "/api/v1/cases",
        f"/api/v1/cases/{case.pk}",
        f"/api/v1/cases/{case.pk}/actions",
        "/api/v1/kpis",
    ]
    for path in gets:
        response = secretary.get(path)
        assert response.status_code == 200, path
        conforms(openapi, "get", path, response)
    for client, path in (
        (worker_b, f"/api/v1/cases/{case.pk}"),  # 404 out of scope
        (secretary, "/api/v1/cases?limit=0"),  # 422
        (Client(), "/api/v1/areas"),  # 401
    ):
        response = client.get(path) if isinstance(client, Client) else client.get(path)
        assert response.status_code >= 400
        conforms(openapi, "get", path.split("?")[0], response)
        assert set(response.json()) == ERROR_KEYS
    posts = [
        ("/api/v1/cases", {"category": "0101", "title": "新的事", "area": world.grid_a.code}, 201),
        ("/api/v1/cases", {"category": "nope", "title": "x"}, 422),
        (f"/api/v1/cases/{case.pk}/actions/dispatch", {"expected_version": case.version + 1}, 200),
        (f"/api/v1/cases/{case.pk}/actions/dispatch", {"expected_version": 0}, 409),
        (f"/api/v1/cases/{case.pk}/actions/close", {}, 409),
    ]
    for path, body, status in posts:
        response = secretary.post(path, body)
        assert response.status_code == status, (path, response.content)
        conforms(openapi, "post", path, response)
    photo = io.BytesIO()
    Image.new("RGB", (4, 4)).save(photo, "PNG")
    photo.seek(0)
    photo.name = "a.png"
    response = secretary.upload(f"/api/v1/cases/{case.pk}/photos", {"photos": [photo]})
    assert response.status_code == 201
    conforms(openapi, "post", f"/api/v1/cases/{case.pk}/photos", response)


def test_unknown_paths_and_methods_answer_in_the_error_shape(world, api):
    client = api(world.secretary)
    missing = client.get("/api/v1/nothing/here")
    assert missing.status_code == 404 and set(missing.json()) == ERROR_KEYS
    body = missing.json()
    assert body["message_zh"] != body["message_en"]


def test_malformed_json_is_a_structured_400_or_422(world, api):
    client = api(world.secretary)
    response = client.client.post(
        "/api/v1/cases", "{not json", content_type="application/json", headers=client.headers
    )
    assert response.status_code in (400, 422)
    assert set(response.json()) == ERROR_KEYS


def test_validation_errors_list_the_fields(world, api):
    response = api(world.secretary).post(
        "/api/v1/cases", {"category": 5, "title": "x" * 300, "lon": 999}
    )
    assert response.status_code == 422
    fields = response.json()["details"]["fields"]
    assert {"title", "lon"} <= set(fields)


def test_a_method_a_path_does_not_take_is_a_structured_405(world, api):
    client = api(world.secretary)
    response = client.client.delete("/api/v1/cases", headers=client.headers)
    assert response.status_code == 405
    assert set(response.json()) == ERROR_KEYS and "GET" in response["Allow"]
    assert response.json()["details"]["allowed"] == ["GET", "POST"]
