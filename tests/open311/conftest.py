"""The Open311 test kit: grids with polygons, a client key, and answers checked against the
official GeoReport v2 JSON Schemas (or ours where the specification publishes none)."""

from __future__ import annotations

import datetime
import json
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree
from django.test import Client
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from gridgov.areas.locator import locator
from gridgov.areas.models import Area
from gridgov.cases.models import Case, Category
from gridgov.cases.services import case_report
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.demo.geometry import Box
from gridgov.open311.keys import key_create

SCHEMAS = Path(__file__).parent / "schemas"
BASE = "/open311/v2"
INSIDE_A = (120.005, 30.005)  # (long, lat) in grid A
INSIDE_B = (120.015, 30.005)
OUTSIDE = (121.5, 31.2)

FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    return datetime.datetime.fromisoformat(value).tzinfo is not None  # the spec: with a zone


@FORMAT_CHECKER.checks("uri")
def _is_uri(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    return bool(parts.scheme and parts.netloc)


def _registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT4))
        for path in SCHEMAS.glob("*.json")
    ]
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validate(data: Any, schema_name: str) -> None:
    """Raise unless ``data`` validates against ``schemas/<schema_name>`` (formats checked)."""
    schema = json.loads((SCHEMAS / schema_name).read_text())
    Draft4Validator(schema, registry=REGISTRY, format_checker=FORMAT_CHECKER).validate(data)


def parse_xml(content: bytes) -> Any:
    """The answer's root element; fails on anything that is not well-formed XML."""
    return ElementTree.fromstring(content)


@dataclass
class Open311:
    world: Any
    key: str
    api_key: Any
    client: Client

    def get(self, path: str, fmt: str = "json", **params: Any):
        return self.client.get(f"{BASE}/{path}.{fmt}", params)

    def post(self, path: str, fmt: str = "json", headers: dict | None = None, **params: Any):
        params.setdefault("api_key", self.key)
        params = {name: value for name, value in params.items() if value is not None}
        return self.client.post(f"{BASE}/{path}.{fmt}", params, headers=headers or {})

    def report(self, **params: Any):
        """POST requests.json with sensible defaults; returns the response."""
        lon, lat = params.pop("at", INSIDE_A)
        params.setdefault("service_code", "0101")
        params.setdefault("lat", lat)
        params.setdefault("long", lon)
        params.setdefault("description", "三单元楼道堆满纸箱，挡住消防通道")
        return self.post("requests", **params)


@pytest.fixture
def taxonomy(db) -> None:
    load_default_taxonomy(Category)


@pytest.fixture
def o311(world, taxonomy) -> Open311:
    tiles = Box(120.0, 30.0, 120.02, 30.01).split_columns(2)
    for area, box in zip((world.grid_a, world.grid_b), tiles, strict=True):
        Area.objects.filter(pk=area.pk).update(polygon=box.geojson())
    locator.invalidate()
    new = key_create(name="fixmystreet")
    yield Open311(world=world, key=new.key, api_key=new.api_key, client=Client())
    locator.invalidate()


@pytest.fixture
def public_case(o311):
    """A case a resident reported and staff published: what Open311 lists."""

    def make(code: str = "0101", **fields: Any) -> Case:
        fields.setdefault("title", "楼道堆放杂物")
        fields.setdefault("description", "二单元楼道有旧家具")
        fields.setdefault("area", o311.world.grid_a)
        publish = fields.pop("public", True)
        hidden = fields.pop("hidden", False)
        case = case_report(
            actor=fields.pop("actor", o311.world.resident),
            channel=fields.pop("channel", "resident"),
            category=Category.objects.get(code=code),
            **fields,
        ).case
        # Moderation (the public list's own pages) decides this; tests set it directly.
        Case.objects.filter(pk=case.pk).update(public=publish, hidden=hidden)
        case.refresh_from_db()
        return case

    return make
