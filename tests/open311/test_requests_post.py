"""POST requests: a client's service request becomes a case through case_report; every bad input
is answered in the error format and creates nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from gridgov.cases.models import Case, CaseEvent, Category, Channel, EventVisibility
from gridgov.open311.keys import key_revoke
from gridgov.open311.models import ClientRequest, ServiceAttribute
from tests.open311.conftest import INSIDE_B, OUTSIDE, parse_xml, validate


def test_a_request_with_lat_long_becomes_a_located_case(o311):
    response = o311.report(
        email="zhang@example.com", first_name="三", last_name="张", phone="13812345678"
    )
    assert response.status_code == 201
    data = response.json()
    validate(data, "requests.json")
    (entry,) = data
    case = Case.objects.get(number=entry["service_request_id"])
    assert entry["status"] == "open" and entry["service_code"] == "0101"
    assert "token" not in entry  # creation is immediate; a token only when asked for
    assert (case.channel, case.area, case.outside_grids) == (Channel.API, o311.world.grid_a, False)
    assert case.description == "三单元楼道堆满纸箱，挡住消防通道"
    assert case.title == "三单元楼道堆满纸箱，挡住消防通道"
    # The reporter is the callback: name and phone on the case (the phone encrypted), the
    # e-mail encrypted beside it; the key's account entered it.
    assert case.reporter_name == "张三" and case.callback_phone == "13812345678"
    assert case.created_by == o311.api_key.user and case.reporter_user is None
    request = ClientRequest.objects.get(case=case)
    assert request.email == "zhang@example.com" and request.api_key == o311.api_key
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM open311_clientrequest WHERE id = %s", [request.pk])
        (stored,) = cursor.fetchone()
    assert "zhang" not in stored and "example.com" not in stored


def test_a_request_without_phone_is_reported_by_the_keys_account(o311):
    entry = o311.report(at=INSIDE_B).json()[0]
    case = Case.objects.get(number=entry["service_request_id"])
    assert case.area == o311.world.grid_b
    assert case.reporter_user == o311.api_key.user and not case.anonymous


def test_the_xml_answer_is_the_specifications(o311):
    response = o311.report(fmt="xml")
    assert response.status_code == 201 and response["Content-Type"].startswith("text/xml")
    root = parse_xml(response.content)
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert Case.objects.filter(number=request.findtext("service_request_id")).exists()
    assert request.find("service_notice") is not None and request.find("account_id") is not None


def test_a_location_outside_every_grid_is_accepted_and_flagged(o311):
    entry = o311.report(at=OUTSIDE).json()[0]
    case = Case.objects.get(number=entry["service_request_id"])
    assert case.outside_grids and case.area == o311.world.street


def test_an_address_alone_is_accepted_and_flagged(o311):
    response = o311.post(
        "requests", service_code="0101", address_string="和平街道幸福路12号", description="路灯不亮"
    )
    assert response.status_code == 201
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert case.address == "和平街道幸福路12号" and case.outside_grids and case.lat is None


def test_address_id_is_one_of_our_area_codes(o311):
    response = o311.post(
        "requests", service_code="0101", address_id=o311.world.grid_b.code, description="杂物"
    )
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert case.area == o311.world.grid_b and not case.outside_grids


def test_gcj02_coordinates_are_converted(o311):
    from gridgov.areas.geo import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(120.005, 30.005)
    entry = o311.report(at=(float(lon), float(lat)), crs="gcj02").json()[0]
    case = Case.objects.get(number=entry["service_request_id"])
    assert case.area == o311.world.grid_a
    assert case.lon == pytest.approx(120.005, abs=1e-6)


BAD_REQUESTS = [
    # (what, status, parameters replacing or adding to a good report)
    ("no api_key", 403, {"api_key": None}),
    ("a wrong api_key", 403, {"api_key": "o311_not-a-key"}),
    ("a key of another format", 403, {"api_key": "secret"}),
    ("an unknown service code", 404, {"service_code": "9999"}),
    ("a class instead of a service", 404, {"service_code": "01"}),
    ("no service code", 400, {"service_code": ""}),
    ("latitude not a number", 400, {"lat": "abc"}),
    ("latitude out of range", 400, {"lat": "91"}),
    ("longitude not finite", 400, {"long": "nan"}),
    ("latitude without longitude", 400, {"long": ""}),
    ("no location at all", 400, {"lat": "", "long": ""}),
    ("an unknown address_id", 400, {"lat": "", "long": "", "address_id": "999"}),
    ("an unknown crs", 400, {"crs": "bd09"}),
    ("a description over 4000 characters", 400, {"description": "长" * 4001}),
    ("a media_url that is not http", 400, {"media_url": "javascript:alert(1)"}),
    ("an e-mail that is not one", 400, {"email": "not-an-email"}),
    ("a phone that is not one", 400, {"phone": "12345"}),
    ("a wrong jurisdiction", 404, {"jurisdiction_id": "elsewhere"}),
]


@pytest.mark.parametrize(
    ("what", "status", "changes"), BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS]
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_requests_are_refused_and_create_nothing(o311, what, status, changes, fmt):
    before = (Case.objects.count(), ClientRequest.objects.count(), CaseEvent.objects.count())
    response = o311.report(fmt=fmt, **changes)
    assert response.status_code == status, response.content
    if fmt == "json":
        body = response.json()
        validate(body, "errors.json")
        assert body[0]["code"] == status and body[0]["description"]
    else:
        root = parse_xml(response.content)
        assert root.tag == "errors"
        assert root.find("error").findtext("code") == str(status)
        assert root.find("error").findtext("description")
    after = (Case.objects.count(), ClientRequest.objects.count(), CaseEvent.objects.count())
    assert after == before


def test_a_revoked_key_is_refused(o311):
    key_revoke(name_or_prefix="fixmystreet")
    response = o311.report()
    assert response.status_code == 403
    assert Case.objects.count() == 0


@pytest.fixture
def road(o311):
    category = Category.objects.get(code="0203")
    ServiceAttribute.objects.create(
        category=category,
        code="size",
        datatype="singlevaluelist",
        required=True,
        description="破损面积",
        values=[{"key": "small", "name": "小于1平方米"}, {"key": "large", "name": "1平方米以上"}],
    )
    ServiceAttribute.objects.create(
        category=category, code="depth_cm", datatype="number", description="深度(厘米)", order=2
    )
    ServiceAttribute.objects.create(
        category=category,
        code="hazards",
        datatype="multivaluelist",
        description="危险",
        order=3,
        values=[{"key": "bike", "name": "绊倒自行车"}, {"key": "car", "name": "损坏车辆"}],
    )
    return category


def test_attributes_are_checked_and_kept(o311, road):
    response = o311.client.post(
        "/open311/v2/requests.json",
        {
            "api_key": o311.key,
            "service_code": "0203",
            "lat": "30.005",
            "long": "120.005",
            "description": "人行道塌陷",
            "attribute[size]": "large",
            "attribute[depth_cm]": "12",
            "attribute[hazards][]": ["bike", "car"],
            "attribute[unknown]": "ignored",
            "media_url": "https://fms.example.org/photo/1.jpeg",
        },
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    request = case.open311
    assert request.attributes == {"size": "large", "depth_cm": "12", "hazards": ["bike", "car"]}
    assert request.media_url == "https://fms.example.org/photo/1.jpeg"
    note = case.events.get(action="note")
    assert note.visibility == EventVisibility.INTERNAL  # for staff, not the public
    assert "破损面积: 1平方米以上" in note.note and "危险: 绊倒自行车、损坏车辆" in note.note
    assert "https://fms.example.org/photo/1.jpeg" in note.note


@pytest.mark.parametrize(
    "attributes",
    [
        {},  # the required size is missing
        {"attribute[size]": "huge"},  # not in its list
        {"attribute[size]": "small", "attribute[depth_cm]": "deep"},  # not a number
        {"attribute[size]": "small", "attribute[hazards][]": ["bike", "plane"]},
        {"attribute[size]": ["small", "large"]},  # one value only
    ],
)
def test_bad_attributes_are_400_and_create_nothing(o311, road, attributes):
    params = {
        "api_key": o311.key,
        "service_code": "0203",
        "lat": "30.005",
        "long": "120.005",
        "description": "人行道塌陷",
        **attributes,
    }
    response = o311.client.post("/open311/v2/requests.json", params)
    assert response.status_code == 400
    validate(response.json(), "errors.json")
    assert Case.objects.count() == 0


def test_a_retried_post_does_not_create_twice(o311):
    first = o311.report()
    again = o311.report()
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert Case.objects.count() == 1
    other = o311.report(description="另一件事：楼道灯坏了")
    assert other.status_code == 201 and Case.objects.count() == 2


def test_the_clients_idempotency_key_decides_when_given(o311):
    first = o311.report(headers={"Idempotency-Key": "fms-report-1"})
    # A retry with the same key is the same request, even if its text was re-rendered.
    again = o311.report(headers={"Idempotency-Key": "fms-report-1"}, description="同一件事")
    other = o311.report(headers={"Idempotency-Key": "fms-report-2"})
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert other.status_code == 201 and Case.objects.count() == 2


def test_two_clients_with_the_same_content_make_two_cases(o311):
    from gridgov.open311.keys import key_create

    second = key_create(name="city-app").key
    o311.report()
    assert o311.report(api_key=second).status_code == 201
    assert Case.objects.count() == 2


def test_deferred_mode_returns_a_token_that_resolves_to_the_id(o311):
    entry = o311.report(deferred="true").json()[0]
    assert entry["token"] and entry["service_request_id"]
    for fmt in ("json", "xml"):
        response = o311.get(f"tokens/{entry['token']}", fmt)
        assert response.status_code == 200
        if fmt == "json":
            validate(response.json(), "tokens.json")
            assert response.json()[0]["service_request_id"] == entry["service_request_id"]
        else:
            root = parse_xml(response.content)
            assert root.tag == "service_requests"
            assert (
                root.find("request").findtext("service_request_id") == entry["service_request_id"]
            )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_token_is_404(o311, fmt):
    response = o311.get("tokens/nothing-here", fmt)
    assert response.status_code == 404
    if fmt == "json":
        validate(response.json(), "errors.json")
    else:
        assert parse_xml(response.content).tag == "errors"


def test_a_long_description_gives_a_short_title(o311):
    text = "路" * 200 + "\n第二行"
    entry = o311.report(description=text).json()[0]
    case = Case.objects.get(number=entry["service_request_id"])
    assert len(case.title) == 120 and case.description == text


def test_no_description_takes_the_service_name_as_title(o311):
    entry = o311.report(description="").json()[0]
    assert Case.objects.get(number=entry["service_request_id"]).title == "楼道杂物"
