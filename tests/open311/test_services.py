"""Discovery, the service list and service definitions, in JSON and XML."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gridgov.cases.models import Category
from gridgov.open311.models import ServiceAttribute
from tests.open311.conftest import parse_xml, validate


@pytest.fixture
def attributes(o311):
    category = Category.objects.get(code="0203")  # 道路破损
    ServiceAttribute.objects.create(
        category=category,
        code="size",
        datatype="singlevaluelist",
        required=True,
        description="破损面积",
        order=1,
        values=[{"key": "small", "name": "小于1平方米"}, {"key": "large", "name": "1平方米以上"}],
    )
    ServiceAttribute.objects.create(
        category=category, code="depth_cm", datatype="number", description="深度(厘米)", order=2
    )
    return category


def test_discovery_in_json_and_xml(o311):
    response = o311.get("discovery")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = response.json()
    validate(data, "discovery.json")
    assert data["endpoints"][0]["url"] == "http://testserver/open311/v2/"
    assert data["endpoints"][0]["formats"] == ["text/xml", "application/json"]

    root = parse_xml(o311.get("discovery", "xml").content)
    assert root.tag == "discovery"
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    # The bare root answers discovery too.
    assert parse_xml(o311.client.get("/open311/v2/").content).tag == "discovery"


def test_services_are_the_active_subcategories(o311, attributes):
    Category.objects.filter(code="0102").update(active=False)
    response = o311.get("services")
    data = response.json()
    validate(data, "services.json")
    codes = [service["service_code"] for service in data]
    assert "0101" in codes and "0102" not in codes  # inactive: not offered
    assert all(len(code) == 4 for code in codes)  # classes are groups, not services
    hallway = next(s for s in data if s["service_code"] == "0101")
    assert hallway["service_name"] == "楼道杂物" and hallway["group"] == "市容环境"
    assert hallway["type"] == "realtime" and hallway["metadata"] is False
    road = next(s for s in data if s["service_code"] == "0203")
    assert road["metadata"] is True

    root = parse_xml(o311.get("services", "xml").content)
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == len(data)
    xml_road = next(s for s in services if s.findtext("service_code") == "0203")
    assert xml_road.findtext("metadata") == "true" and xml_road.findtext("group") == "市政设施"
    assert xml_road.find("keywords") is not None  # present, empty


def test_service_definition_in_json_and_xml(o311, attributes):
    data = o311.get("services/0203").json()
    validate(data, "service-definition.json")
    assert data["service_code"] == "0203"
    size, depth = data["attributes"]
    assert (size["code"], size["datatype"], size["required"], size["order"]) == (
        "size",
        "singlevaluelist",
        True,
        1,
    )
    assert size["values"] == [
        {"key": "small", "name": "小于1平方米"},
        {"key": "large", "name": "1平方米以上"},
    ]
    assert (depth["datatype"], depth["required"], depth["variable"]) == ("number", False, True)

    root = parse_xml(o311.get("services/0203", "xml").content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "0203"
    first = root.find("attributes/attribute")
    assert first.findtext("code") == "size" and first.findtext("required") == "true"
    assert [v.findtext("key") for v in first.findall("values/value")] == ["small", "large"]


def test_a_service_without_attributes_has_an_empty_definition(o311):
    data = o311.get("services/0101").json()
    validate(data, "service-definition.json")
    assert data == {"service_code": "0101", "attributes": []}


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["9999", "01", "abc"])
def test_an_unknown_service_code_is_404_in_the_error_format(o311, fmt, code):
    response = o311.get(f"services/{code}", fmt)
    assert response.status_code == 404
    if fmt == "json":
        validate(response.json(), "errors.json")
        assert response.json()[0]["code"] == 404
    else:
        root = parse_xml(response.content)
        assert root.tag == "errors" and root.find("error").findtext("code") == "404"
        assert root.find("error").findtext("description")


def test_a_list_attribute_needs_distinct_values(o311):
    category = Category.objects.get(code="0101")
    attribute = ServiceAttribute(
        category=category, code="kind", datatype="singlevaluelist", description="种类", values=[]
    )
    with pytest.raises(ValidationError):
        attribute.full_clean()
    attribute.values = [{"key": "a", "name": "甲"}, {"key": "a", "name": "乙"}]
    with pytest.raises(ValidationError):
        attribute.full_clean()
    attribute.values = [{"key": "a", "name": "甲"}, {"key": "b", "name": "乙"}]
    attribute.full_clean()
    text = ServiceAttribute(category=category, code="t", datatype="string", description="说明")
    text.values = [{"key": "a", "name": "甲"}]
    with pytest.raises(ValidationError):
        text.full_clean()


def test_a_wrong_jurisdiction_is_404_and_the_right_one_is_accepted(o311, settings):
    settings.GRIDGOV_OPEN311_JURISDICTION = "linjiang.example"
    assert o311.get("services", jurisdiction_id="linjiang.example").status_code == 200
    response = o311.get("services", jurisdiction_id="elsewhere")
    assert response.status_code == 404
    validate(response.json(), "errors.json")


def test_unknown_addresses_and_methods_answer_in_the_error_format(o311):
    response = o311.client.get("/open311/v2/nothing.json")
    assert response.status_code == 404
    validate(response.json(), "errors.json")
    assert parse_xml(o311.client.get("/open311/v2/services.html").content).tag == "errors"
    response = o311.client.delete("/open311/v2/services.json")
    assert response.status_code == 405 and response["Allow"] == "GET"
    validate(response.json(), "errors.json")
