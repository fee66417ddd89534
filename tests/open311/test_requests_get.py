"""GET requests and requests/{id}: only public, unhidden, non-sensitive cases; the standard
filters, the paging extension, status mapping, photos by media_url."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.cases.models import Case, CaseAttachment, CaseStatus
from gridgov.cases.workflow import transition
from gridgov.core.files import stored_file_create
from gridgov.open311.mapping import OPEN311_STATUS, UPDATE_STATUS
from tests.open311.conftest import parse_xml, validate

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def ids(response) -> list[str]:
    return [entry["service_request_id"] for entry in response.json()]


def close(case: Case, world) -> Case:
    for action, actor, payload in (
        ("accept", world.secretary, {}),
        ("dispatch", world.secretary, {}),
        ("claim", world.worker_a, {}),
        ("resolve", world.worker_a, {"result": "已清理"}),
        ("verify", world.secretary, {"passed": True}),
        ("close", world.secretary, {}),
    ):
        case = transition(case=case, action=action, actor=actor, **payload)
    return case


def test_only_public_unhidden_non_sensitive_cases_are_listed(o311, public_case):
    shown = public_case()
    public_case(public=False)
    public_case(hidden=True)
    public_case("0601", title="邻里纠纷")  # sensitive category, even when public
    o311.report()  # arrived through Open311 but not published by staff
    response = o311.get("requests")
    validate(response.json(), "requests.json")
    assert ids(response) == [shown.number]
    root = parse_xml(o311.get("requests", "xml").content)
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [shown.number]


def test_a_request_entry_in_json_and_xml(o311, public_case):
    case = public_case(lon=120.005, lat=30.005, address="幸福路12号")
    (entry,) = o311.get(f"requests/{case.number}").json()
    validate([entry], "requests.json")
    validate(entry, "request.json")
    assert entry["service_code"] == "0101" and entry["service_name"] == "楼道杂物"
    assert entry["status"] == "open" and entry["description"] == "二单元楼道有旧家具"
    assert entry["lat"] == pytest.approx(30.005) and entry["long"] == pytest.approx(120.005)
    assert entry["address"] == "幸福路12号" and entry["address_id"] == o311.world.grid_a.code
    assert entry["agency_responsible"] == "东湖第一网格"
    assert entry["requested_datetime"].endswith("+08:00")
    assert entry["media_url"] is None

    root = parse_xml(o311.get(f"requests/{case.number}", "xml").content)
    (request,) = root.findall("request")
    assert request.findtext("service_request_id") == case.number
    assert request.findtext("status") == "open"
    assert float(request.findtext("lat")) == pytest.approx(30.005)
    assert request.find("media_url") is not None and not request.findtext("media_url")
    expected = {
        "service_request_id", "status", "status_notes", "service_name", "service_code",
        "description", "agency_responsible", "service_notice", "requested_datetime",
        "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
        "long", "media_url",
    }  # fmt: skip
    assert {child.tag for child in request} == expected == set(entry)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unlisted_and_unknown_requests_are_404(o311, public_case, fmt):
    for case_number in (
        public_case(public=False).number,
        public_case(hidden=True).number,
        public_case("0701", title="独居老人帮扶").number,
        "20990101000001",
    ):
        response = o311.get(f"requests/{case_number}", fmt)
        assert response.status_code == 404
        if fmt == "json":
            validate(response.json(), "errors.json")
        else:
            assert parse_xml(response.content).find("error").findtext("code") == "404"


def test_status_maps_open_and_closed_from_the_workflow(o311, public_case):
    assert set(OPEN311_STATUS) == set(CaseStatus.values) == set(UPDATE_STATUS)
    assert OPEN311_STATUS[CaseStatus.RESOLVED] == "open"
    assert {OPEN311_STATUS[s] for s in ("closed", "rated", "rejected", "merged")} == {"closed"}
    open_case = public_case()
    closed_case = close(public_case(), o311.world)
    rejected = transition(
        case=public_case(), action="reject", actor=o311.world.secretary, reason="不属于受理范围"
    )
    assert rejected.status == CaseStatus.REJECTED
    statuses = {e["service_request_id"]: e["status"] for e in o311.get("requests").json()}
    assert statuses == {
        open_case.number: "open",
        closed_case.number: "closed",
        rejected.number: "closed",
    }
    assert ids(o311.get("requests", status="closed")) == [rejected.number, closed_case.number]
    assert ids(o311.get("requests", status="open")) == [open_case.number]
    assert len(ids(o311.get("requests", status="open,closed"))) == 3
    (closed_entry,) = o311.get(f"requests/{closed_case.number}").json()
    assert closed_entry["expected_datetime"] is None


def test_filters_by_id_service_code_and_dates(o311, public_case):
    now = timezone.now()
    old = public_case(at=now - datetime.timedelta(days=120))
    lamp = public_case("0201", title="路灯不亮", at=now - datetime.timedelta(days=10))
    hallway = public_case(at=now - datetime.timedelta(days=1))
    # The default window is the last 90 days.
    assert ids(o311.get("requests")) == [hallway.number, lamp.number]
    assert ids(o311.get("requests", service_code="0201")) == [lamp.number]
    assert ids(o311.get("requests", service_code="0201,0101")) == [hallway.number, lamp.number]
    assert ids(o311.get("requests", service_code="9999")) == []
    # With ids every other filter is ignored (the specification), but never the public scope.
    hidden = public_case(hidden=True)
    response = o311.get(
        "requests",
        service_request_id=f"{old.number},{lamp.number},{hidden.number}",
        service_code="0101",
    )
    assert ids(response) == [lamp.number, old.number]
    start = (now - datetime.timedelta(days=200)).isoformat()
    end = (now - datetime.timedelta(days=5)).isoformat()
    assert ids(o311.get("requests", start_date=start, end_date=end)) == [lamp.number, old.number]
    assert ids(o311.get("requests", start_date="2000-01-01")) == [
        hallway.number,
        lamp.number,
        old.number,
    ]
    # Naive datetimes are local time; "Z" and offsets are understood.
    day = timezone.localtime(now - datetime.timedelta(days=10)).date().isoformat()
    assert lamp.number in ids(o311.get("requests", start_date=day, end_date=end))
    utc = (now - datetime.timedelta(days=2)).astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(o311.get("requests", start_date=utc)) == [hallway.number]


def test_updated_datetime_filters(o311, public_case):
    quiet = public_case()
    Case.objects.filter(pk=quiet.pk).update(updated_at=timezone.now() - datetime.timedelta(days=3))
    busy = public_case()
    cut = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert ids(o311.get("requests", updated_after=cut)) == [busy.number]
    assert ids(o311.get("requests", updated_before=cut)) == [quiet.number]


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-45"},
        {"updated_after": "12:00"},
        {"start_date": "2026-03-02", "end_date": "2026-03-01"},
        {"updated_after": "2026-03-02", "updated_before": "2026-03-01"},
        {"status": "pending"},
        {"page": "0"},
        {"page": "x"},
        {"page_size": "1001"},
        {"start_date": "0001-01-01T00:00:00+14:00"},
        {"end_date": "9999-12-31"},
        {"service_code": "0101\x00"},
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400(o311, params, fmt):
    response = o311.get("requests", fmt, **params)
    assert response.status_code == 400
    if fmt == "json":
        validate(response.json(), "errors.json")
        assert response.json()[0]["code"] == 400
    else:
        assert parse_xml(response.content).find("error").findtext("code") == "400"


def test_paging(o311, public_case):
    now = timezone.now()
    cases = [public_case(at=now - datetime.timedelta(hours=n)) for n in range(5)]
    first = o311.get("requests", page_size=2)
    assert ids(first) == [cases[0].number, cases[1].number]
    assert first["X-Total-Count"] == "5"
    assert "page=2" in first["Link"] and 'rel="next"' in first["Link"]
    assert ids(o311.get("requests", page_size=2, page=2)) == [cases[2].number, cases[3].number]
    last = o311.get("requests", page_size=2, page=3)
    assert ids(last) == [cases[4].number] and "Link" not in last
    assert ids(o311.get("requests", page_size=2, page=9)) == []
    root = parse_xml(o311.get("requests", "xml", page_size=2, page=3).content)
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [cases[4].number]


def attach_photo(case: Case, world, *, redacted: bool = False) -> CaseAttachment:
    stored = stored_file_create(
        upload=SimpleUploadedFile("张三13812345678.png", PNG, content_type="image/png"),
        area=case.area,
        actor=world.admin,
    )
    return CaseAttachment.objects.create(case=case, file=stored, kind="before", redacted=redacted)


def test_media_url_points_at_a_public_photo_of_a_public_case(o311, public_case):
    case = public_case()
    attachment = attach_photo(case, o311.world)
    (entry,) = o311.get(f"requests/{case.number}").json()
    assert entry["media_url"] == f"http://testserver/open311/v2/media/{attachment.file_id}"
    validate([entry], "requests.json")
    photo = o311.client.get(entry["media_url"])  # anonymous, no session
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content) == PNG
    assert "13812345678" not in photo.get("Content-Disposition", "")
    # Hidden by moderation: the photo goes with the case.
    Case.objects.filter(pk=case.pk).update(hidden=True)
    assert o311.client.get(entry["media_url"]).status_code == 404


def test_redacted_photos_and_photos_of_unlisted_cases_are_never_shown(o311, public_case):
    case = public_case()
    redacted = attach_photo(case, o311.world, redacted=True)
    (entry,) = o311.get(f"requests/{case.number}").json()
    assert entry["media_url"] is None
    assert o311.client.get(f"/open311/v2/media/{redacted.file_id}").status_code == 404
    private = public_case(public=False)
    photo = attach_photo(private, o311.world)
    assert o311.client.get(f"/open311/v2/media/{photo.file_id}").status_code == 404


def test_the_public_base_url_setting_is_used_for_media(o311, public_case, settings):
    settings.GRIDGOV_PUBLIC_BASE_URL = "https://gridgov.example.gov.cn/"
    case = public_case()
    attachment = attach_photo(case, o311.world)
    (entry,) = o311.get(f"requests/{case.number}").json()
    assert (
        entry["media_url"]
        == f"https://gridgov.example.gov.cn/open311/v2/media/{attachment.file_id}"
    )


def test_listing_costs_a_fixed_number_of_queries(o311, public_case, django_assert_max_num_queries):
    for _n in range(6):
        attach_photo(public_case(), o311.world)
    with django_assert_max_num_queries(5):  # count, page, photos, transaction
        response = o311.get("requests")
    assert len(response.json()) == 6


def test_a_nul_character_in_the_address_is_400(o311):
    for path in ("/open311/v2/services/01%0001.json", "/open311/v2/requests/1%00.json"):
        response = o311.client.get(path)
        assert response.status_code == 400
        validate(response.json(), "errors.json")
