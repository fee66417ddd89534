"""Reporting from the phone: photos checked on the server, the place located (GCJ-02 converted,
outside every grid accepted and flagged), the category suggested, idempotent by client key, and
anonymous reports only with a callback phone. A refused report creates nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.areas.geo import wgs84_to_gcj02
from gridgov.cases.models import Case, CaseAttachment, Channel
from gridgov.core.models import StoredFile
from gridgov.resident.suggest import suggest
from tests.resident.conftest import INSIDE_A, png


def form(**fields):
    data = {
        "description": "楼道里堆满了纸箱，过不去人",
        "category": "",
        "lon": "",
        "lat": "",
        "crs": "wgs84",
        "address": "3号楼2单元",
        "callback_phone": "",
        "public": "on",
        "client_key": "key-1",
    }
    data.update(fields)
    return data


def test_a_signed_in_resident_reports_with_a_photo_and_a_place(
    mapped, hallway, resident_client, phone_resident
):
    lon, lat = INSIDE_A
    response = resident_client.post(
        "/m/report/", form(lon=lon, lat=lat, photos=[png(), png(colour="blue")])
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/m/mine/{case.pk}/"
    assert case.channel == Channel.RESIDENT and case.reporter_user == phone_resident
    assert case.category == hallway  # suggested from the text, none was chosen
    assert case.area == mapped.grid_a and not case.outside_grids
    assert case.callback_phone == phone_resident.phone  # the account's own number by default
    assert case.public and case.title.startswith("楼道里堆满了纸箱")
    photos = CaseAttachment.objects.filter(case=case)
    assert photos.count() == 2 and {p.file.area_id for p in photos} == {mapped.grid_a.pk}
    page = resident_client.get(f"/m/mine/{case.pk}/").content.decode()
    assert case.number in page and "您的上报已收到" in page
    assert resident_client.get(f"/m/photos/{photos.first().pk}/").status_code == 200


def test_a_gcj02_location_from_a_phone_map_is_converted(mapped, hallway, resident_client):
    gcj_lon, gcj_lat = (float(v) for v in wgs84_to_gcj02(*INSIDE_A))
    resident_client.post("/m/report/", form(lon=gcj_lon, lat=gcj_lat, crs="gcj02"))
    case = Case.objects.get()
    assert case.lon == pytest.approx(INSIDE_A[0], abs=1e-6)
    assert case.lat == pytest.approx(INSIDE_A[1], abs=1e-6)
    assert case.area == mapped.grid_a


def test_a_place_outside_every_grid_is_accepted_and_flagged(mapped, hallway, resident_client):
    response = resident_client.post("/m/report/", form(lon=121.5, lat=31.2))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.outside_grids and case.area == mapped.street  # the street's dispatch queue


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_created(
    mapped, hallway, resident_client
):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = resident_client.post("/m/report/", form(photos=[fake]))
    assert response.status_code == 400
    assert "不是照片" in response.content.decode()
    assert Case.objects.count() == 0 and StoredFile.objects.count() == 0


def test_a_photo_over_the_size_limit_is_refused(mapped, hallway, resident_client, settings):
    settings.GRIDGOV_MAX_UPLOAD_BYTES = 1000
    response = resident_client.post("/m/report/", form(photos=[png(400, 400)]))
    assert response.status_code == 400
    assert "超过" in response.content.decode() or "大于" in response.content.decode()
    assert Case.objects.count() == 0 and StoredFile.objects.count() == 0


def test_the_same_form_sent_twice_makes_one_case(mapped, hallway, resident_client):
    resident_client.post("/m/report/", form(client_key="same"))
    resident_client.post("/m/report/", form(client_key="same"))
    assert Case.objects.count() == 1


def test_anonymous_reports_need_a_callback_phone(mapped, hallway, client):
    response = client.post("/m/report/", form(lon=INSIDE_A[0], lat=INSIDE_A[1]))
    assert response.status_code == 400 and Case.objects.count() == 0
    response = client.post(
        "/m/report/", form(lon=INSIDE_A[0], lat=INSIDE_A[1], callback_phone="13811112222")
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/m/report/thanks/{case.uid}/"
    assert case.anonymous and case.reporter_user is None and case.callback_phone == "13811112222"
    assert case.number in client.get(response["Location"]).content.decode()


def test_no_category_and_no_suggestion_asks_for_one(mapped, hallway, resident_client):
    response = resident_client.post("/m/report/", form(description="你好"))
    assert response.status_code == 400 and "请选择问题类别" in response.content.decode()
    assert Case.objects.count() == 0


def test_the_report_page_offers_the_map_and_the_photo_resizer(mapped, hallway, resident_client):
    page = resident_client.get("/m/report/").content.decode()
    assert "resident/report.js" in page and "vendor/leaflet/leaflet.js" in page
    assert 'name="client_key"' in page and 'accept="image/*"' in page
    grids = resident_client.get("/m/report/grids.json").json()
    assert {f["properties"]["name"] for f in grids["features"]} == {"东湖第一网格", "东湖第二网格"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("楼道里堆满了纸箱", "楼道杂物"),
        ("小区门口的路灯坏了好几天不亮", "路灯损坏"),
        ("楼下烧烤店油烟太大，窗户都不能开", "油烟污染"),
        ("电梯又坏了，早上还困了人", "电梯故障"),
        ("有人在楼道里给电动车充电，太危险了", "电动车违规充电"),
        ("隔壁晚上装修，噪音吵得睡不着", "噪音扰民"),
        ("路边的井盖没了", "井盖缺失"),
        ("垃圾桶满了好几天没人清理", "暴露垃圾"),
    ],
)
def test_the_category_suggestion_reads_real_texts(hallway, text, expected):
    assert suggest(text)[0].category.name == expected


def test_the_suggestion_endpoint_answers_json(hallway, client):
    data = client.get("/m/report/suggest/", {"text": "楼道里堆满了纸箱"}).json()
    assert data["suggestions"][0]["name"] == "楼道杂物"
    assert data["suggestions"][0]["class"] == "市容环境"
    assert client.get("/m/report/suggest/", {"text": "你好"}).json() == {"suggestions": []}
