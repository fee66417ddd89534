"""Courtyard pages: scoped lists and details, the due list, the forms, plates and the public page."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from gridgov.core.masking import mask_name, mask_phone
from gridgov.registry.courtyards import checklist
from gridgov.registry.courtyards.plates import public_url
from gridgov.registry.courtyards.services import (
    courtyard_rate,
    courtyard_risk_override,
    inspection_item_rectify,
)
from gridgov.registry.models import (
    Courtyard,
    Inspection,
    InspectionItem,
    RentalRegistration,
    Resident,
)
from tests.factories import UserFactory, assign
from tests.registry.test_courtyards import (
    LANDLORD_ID,
    LANDLORD_NAME,
    LANDLORD_PHONE,
    add_tenants,
    inspect,
    make_courtyard,
    make_landlord,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
DAY = datetime.timedelta(days=1)
A6_MEDIABOX = re.compile(rb"/MediaBox \[\s*0 0 297\.6378 419\.5276\s*\]")


@pytest.fixture
def yards(world):
    """Courtyard A (grid A, with a landlord) and courtyard B (grid B)."""
    landlord = make_landlord(world.grid_a)
    a = make_courtyard(world, landlord=landlord, contact_channel="东湖社区服务站 0351-1234567")
    b = make_courtyard(world, area=world.grid_b, code="C-B-001", name="东湖乙院")
    return a, b


def page_text(response) -> str:
    return response.content.decode()


# --- scoping --------------------------------------------------------------------------------------


@freeze_time(TODAY)
def test_the_due_list_shows_only_the_workers_own_grid(world, login, yards):
    a, b = yards
    response = login(world.worker_b).get("/registry/courtyards/inspections/due/")
    assert response.status_code == 200
    assert [row["courtyard"].code for row in response.context["rows"]] == ["C-B-001"]
    assert "C-A-001" not in page_text(response)
    response = login(world.secretary).get("/registry/courtyards/inspections/due/")
    assert {row["courtyard"].code for row in response.context["rows"]} == {"C-A-001", "C-B-001"}


@freeze_time(TODAY)
def test_the_due_list_orders_by_due_date_and_leaves_out_what_is_far_off(world, login):
    never = make_courtyard(world, code="C-A-001", name="从未检查")
    red_late = make_courtyard(world, code="C-A-002", name="逾期红色")
    soon = make_courtyard(world, code="C-A-003", name="七天内到期")
    far = make_courtyard(world, code="C-A-004", name="远未到期")
    with freeze_time(TODAY - 40 * DAY):
        inspect(world, red_late, TODAY - 40 * DAY, ebike_charging="", structure="")  # due -10
    with freeze_time(TODAY - 85 * DAY):
        inspect(world, soon, TODAY - 85 * DAY, gas="")  # yellow, due in 5 days
    inspect(world, far, TODAY)  # blue, due in 180 days
    response = login(world.worker_a).get("/registry/courtyards/inspections/due/")
    rows = response.context["rows"]
    assert [row["courtyard"].pk for row in rows] == [never.pk, red_late.pk, soon.pk]
    assert [row["days"] for row in rows] == [None, -10, 5]
    text = page_text(response)
    assert 'data-risk-color="red"' in text
    assert "逾期红色" in text and "远未到期" not in text
    # open items past their deadline: both of the red courtyard, and the gas leak of the other
    overdue = {
        (row["item"].inspection.courtyard.code, row["item"].item)
        for row in response.context["overdue_rows"]
    }
    assert overdue == {("C-A-002", "ebike_charging"), ("C-A-002", "structure"), ("C-A-003", "gas")}
    assert 'data-overdue-item="C-A-002:structure"' in text


@freeze_time(TODAY)
def test_superseded_and_rectified_items_are_not_listed_as_overdue(world, login):
    courtyard = make_courtyard(world)
    with freeze_time(TODAY - 30 * DAY):
        first = inspect(world, courtyard, TODAY - 30 * DAY, gas="", sanitation="")
    with freeze_time(TODAY - 20 * DAY):
        inspection_item_rectify(
            actor=world.worker_a, item=first.items.get(item="gas"), on=TODAY - 20 * DAY
        )
    response = login(world.worker_a).get("/registry/courtyards/inspections/due/")
    assert [row["item"].item for row in response.context["overdue_rows"]] == ["sanitation"]
    # failing again keeps the old deadline: still overdue, listed once (the latest inspection's)
    with freeze_time(TODAY - DAY):
        second = inspect(world, courtyard, TODAY - DAY, sanitation="")
    client = login(world.worker_a)
    response = client.get("/registry/courtyards/inspections/due/")
    assert [row["item"].pk for row in response.context["overdue_rows"]] == [
        second.items.get(item="sanitation").pk
    ]
    inspect(world, courtyard, TODAY)  # all passed now: the old failures are superseded
    response = client.get("/registry/courtyards/inspections/due/")
    assert response.context["overdue_rows"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/registry/courtyards/{pk}/",
        "/registry/courtyards/{pk}/inspect/",
        "/registry/courtyards/{pk}/plate.pdf",
    ],
)
def test_another_grids_courtyard_does_not_exist_for_a_worker(world, login, yards, path):
    a, _b = yards
    assert login(world.worker_b).get(path.format(pk=a.pk)).status_code == 404
    assert login(world.worker_a).get(path.format(pk=a.pk)).status_code == 200


@freeze_time(TODAY)
def test_actions_on_another_grids_courtyard_are_404_and_change_nothing(world, login, yards):
    a, _b = yards
    inspection = inspect(world, a, TODAY, gas="")
    item = inspection.items.get(item="gas")
    client = login(world.worker_b)
    assert (
        client.post(f"/registry/courtyards/{a.pk}/risk/", {"color": "red", "reason": "x"})
    ).status_code == 404
    assert (
        client.post(f"/registry/courtyards/{a.pk}/rate/", {"stars": "5", "reason": "x"})
    ).status_code == 404
    assert (
        client.post(f"/registry/courtyards/items/{item.pk}/rectify/", {f"item{item.pk}-on": TODAY})
    ).status_code == 404
    assert client.get(f"/registry/courtyards/plates/area/{world.grid_a.pk}.pdf").status_code == 404
    a.refresh_from_db()
    item.refresh_from_db()
    assert (a.risk_override, a.star_rating, item.rectified_on) == ("", None, None)


def test_residents_do_not_open_the_console_pages(world, login, yards):
    client = login(world.resident)  # assigned to grid A, but as a resident
    assert client.get("/registry/courtyards/").status_code == 403
    assert client.get(f"/registry/courtyards/{yards[0].pk}/").status_code == 403
    assert Client().get("/registry/courtyards/").status_code == 302  # to the login page


# --- list and detail ------------------------------------------------------------------------------


@freeze_time(TODAY)
def test_the_list_searches_and_filters_by_colour_and_area(world, login, yards):
    a, b = yards
    inspect(world, b, TODAY, gas="")  # yellow
    client = login(world.secretary)

    def codes(**params):
        response = client.get("/registry/courtyards/", params)
        assert response.status_code == 200
        return [c.code for c in response.context["page"]]

    assert codes() == ["C-A-001", "C-B-001"]
    assert codes(q="乙院") == ["C-B-001"]
    assert codes(q="C-A") == ["C-A-001"]
    assert codes(q="东湖路") == ["C-A-001", "C-B-001"]
    assert codes(color="yellow") == ["C-B-001"]
    assert codes(color="blue") == ["C-A-001"]
    assert codes(area=world.grid_b.pk) == ["C-B-001"]
    assert codes(area=world.grid_c.pk) == ["C-A-001", "C-B-001"]  # not theirs: ignored
    assert login(world.worker_a).get("/registry/courtyards/").context["page"].paginator.count == 1


def test_the_list_costs_the_same_queries_for_many_courtyards(world, login):
    client = login(world.worker_a)
    make_courtyard(world, code="C-A-100")
    client.get("/registry/courtyards/")  # the session's first page does one-off checks
    with CaptureQueriesContext(connection) as few:
        assert client.get("/registry/courtyards/").status_code == 200
    for number in range(101, 112):
        make_courtyard(world, code=f"C-A-{number}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/registry/courtyards/").status_code == 200
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as due:
        assert client.get("/registry/courtyards/inspections/due/").status_code == 200
    assert len(due) <= len(few) + 3


@freeze_time(TODAY)
def test_the_detail_masks_the_landlord_and_shows_history_and_actions(world, login, yards):
    a, _b = yards
    add_tenants(a, 3, TODAY - 10 * DAY)
    inspect(world, a, TODAY, notes="与房东沟通", ebike_charging="楼道停放")
    response = login(world.worker_a).get(f"/registry/courtyards/{a.pk}/")
    text = page_text(response)
    assert mask_name(LANDLORD_NAME) in text and LANDLORD_NAME not in text
    assert mask_phone(LANDLORD_PHONE) in text and LANDLORD_PHONE not in text
    assert "data-tenants>3<" in text
    assert "楼道停放" in text and "与房东沟通" in text
    assert 'data-item="ebike_charging" data-state="open"' in text
    assert "data-rectify-form" in text and "data-override-form" in text
    assert "data-record-inspection" in text
    # a grid instructor sees the courtyard but may not change the registry: no forms
    instructor = UserFactory(username="instructor")
    assign(instructor, "grid_instructor", world.grid_a)
    text = page_text(login(instructor).get(f"/registry/courtyards/{a.pk}/"))
    assert "data-rectify-form" not in text and "data-override-form" not in text
    assert "data-plate" in text


# --- forms ----------------------------------------------------------------------------------------


def inspection_post(on: datetime.date, failed: dict[str, str] | None = None, skip=()):
    failed = failed or {}
    data = {"inspected_on": on.isoformat(), "notes": "例行检查"}
    for item in checklist.CHECKLIST:
        if item.code in skip:
            continue
        data[f"result_{item.code}"] = "fail" if item.code in failed else "pass"
        data[f"note_{item.code}"] = failed.get(item.code, "")
    return data


@freeze_time(TODAY)
def test_recording_an_inspection_through_the_form(world, login, yards):
    a, _b = yards
    client = login(world.worker_a)
    form = client.get(f"/registry/courtyards/{a.pk}/inspect/")
    assert form.status_code == 200
    assert page_text(form).count('type="radio"') == 2 * len(checklist.CHECKLIST)
    response = client.post(
        f"/registry/courtyards/{a.pk}/inspect/", inspection_post(TODAY, {"gas": "软管老化"})
    )
    assert response.status_code == 302
    assert response["Location"] == f"/registry/courtyards/{a.pk}/"
    a.refresh_from_db()
    assert (a.risk_color, a.next_inspection_due) == ("yellow", TODAY + 90 * DAY)
    inspection = Inspection.objects.get()
    assert inspection.inspector == world.worker_a
    assert inspection.items.get(item="gas").note == "软管老化"


@freeze_time(TODAY)
def test_an_incomplete_inspection_shows_the_errors_and_saves_nothing(world, login, yards):
    a, _b = yards
    client = login(world.worker_a)
    response = client.post(
        f"/registry/courtyards/{a.pk}/inspect/", inspection_post(TODAY, skip=("structure",))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["result_structure"]
    assert 'class="errors"' in page_text(response)
    response = client.post(
        f"/registry/courtyards/{a.pk}/inspect/", inspection_post(TODAY + DAY)
    )  # the service refuses a future date; the form shows why
    assert response.context["form"].errors["inspected_on"]
    assert not Inspection.objects.exists()
    a.refresh_from_db()
    assert a.last_inspected_on is None


@freeze_time(TODAY)
def test_override_through_the_page_is_audited_with_actor_and_reason(world, login, yards):
    a, _b = yards
    client = login(world.worker_a)
    response = client.post(f"/registry/courtyards/{a.pk}/risk/", {"color": "red", "reason": ""})
    assert response.status_code == 200
    assert response.context["override_form"].errors["reason"]
    a.refresh_from_db()
    assert a.risk_override == ""
    response = client.post(
        f"/registry/courtyards/{a.pk}/risk/", {"color": "orange", "reason": "群租,人员密集"}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.risk_override, a.risk_override_reason) == ("orange", "群租,人员密集")
    entry = LogEntry.objects.get_for_object(a).order_by("-pk").first()
    assert entry.actor == world.worker_a
    assert entry.additional_data["reason"] == "群租,人员密集"
    assert entry.changes_dict["risk_override"] == ["", "orange"]
    detail = page_text(client.get(f"/registry/courtyards/{a.pk}/"))
    assert "data-override" in detail and "群租,人员密集" in detail


@freeze_time(TODAY)
def test_rectify_and_rate_through_the_page(world, login, yards):
    a, _b = yards
    inspection = inspect(world, a, TODAY - 3 * DAY, structure="屋顶漏水")
    item = inspection.items.get(item="structure")
    client = login(world.worker_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        f"/registry/courtyards/items/{item.pk}/rectify/",
        {f"item{item.pk}-on": (TODAY - 5 * DAY).isoformat()},
    )
    assert response.status_code == 200  # before the inspection: shown on the form
    assert "errors" in page_text(response)
    item.refresh_from_db()
    assert item.rectified_on is None
    response = client.post(
        f"/registry/courtyards/items/{item.pk}/rectify/", {f"item{item.pk}-on": TODAY.isoformat()}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    a.refresh_from_db()
    assert item.rectified_on == TODAY and a.risk_color == "blue"
    detail = page_text(client.get(f"/registry/courtyards/{a.pk}/"))
    assert 'data-item="structure" data-state="rectified"' in detail
    assert f"Rectified on {TODAY.isoformat()}" in detail
    assert client.post(f"/registry/courtyards/{a.pk}/rate/", {"stars": "5"}).status_code == 200
    response = client.post(
        f"/registry/courtyards/{a.pk}/rate/", {"stars": "5", "reason": "星级院落验收"}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.star_rating == 5


# --- plates ---------------------------------------------------------------------------------------


def pages_of(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def test_the_plate_is_a_one_page_a6_pdf_with_the_font_embedded(world, login, yards):
    a, _b = yards
    response = login(world.worker_a).get(f"/registry/courtyards/{a.pk}/plate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="plate-C-A-001.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pages_of(pdf) == 1
    assert len(A6_MEDIABOX.findall(pdf)) == 1
    assert b"/FontFile2" in pdf  # the CJK font travels with the file


def test_the_plates_of_an_area_have_one_page_per_courtyard(world, login, yards):
    make_courtyard(world, code="C-A-002", name="东湖三号院")
    client = login(world.secretary)
    response = client.get(f"/registry/courtyards/plates/area/{world.community1.pk}.pdf")
    assert response.status_code == 200
    assert pages_of(response.content) == 3
    assert len(A6_MEDIABOX.findall(response.content)) == 3
    response = login(world.worker_a).get(f"/registry/courtyards/plates/area/{world.grid_a.pk}.pdf")
    assert pages_of(response.content) == 2
    empty = client.get(f"/registry/courtyards/plates/area/{world.grid_b.pk}.pdf?x=1")
    assert pages_of(empty.content) == 1


def test_the_qr_code_points_at_the_public_page(world, settings, yards):
    a, _b = yards
    settings.GRIDGOV_PUBLIC_BASE_URL = "https://grid.example.cn/"
    assert public_url(a) == f"https://grid.example.cn/public/courtyards/{a.public_token}/"
    settings.GRIDGOV_PUBLIC_BASE_URL = ""
    assert public_url(a, base_url="http://testserver/") == (
        f"http://testserver/public/courtyards/{a.public_token}/"
    )


# --- the public page ------------------------------------------------------------------------------

TENANTS = [
    ("李秀兰", "110105199001012345", "13811112222"),
    ("赵建国", "11010519851231001X", "13733334444"),
]


@freeze_time(TODAY)
def test_the_public_page_shows_the_courtyard_and_no_personal_data(world, yards):
    a, _b = yards
    a.lat, a.lon = 37.812345, 112.567891
    a.save()
    for name, id_number, phone in TENANTS:
        resident = Resident.objects.create(area=a.area, name=name, id_number=id_number, phone=phone)
        RentalRegistration.objects.create(
            area=a.area, resident=resident, courtyard=a, start_date=TODAY - 30 * DAY
        )
    inspect(world, a, TODAY, notes="房东王德福称电动车为李秀兰所有", ebike_charging="李秀兰的车")
    courtyard_rate(actor=world.admin, courtyard=a, stars=3, reason="赵建国推荐")
    courtyard_risk_override(actor=world.admin, courtyard=a, color="red", reason="王德福拒不整改")

    client = Client()
    response = client.get(f"/public/courtyards/{a.public_token}/")
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "sessionid" not in response.cookies
    text = page_text(response)
    for shown in ("C-A-001", "东湖一号院", "东湖路3巷12号", "和平街道", "东湖社区", "王*福"):
        assert shown in text
    assert "东湖社区服务站 0351-1234567" in text
    assert "37.8123" in text and "112.5679" in text
    assert 'class="public-band risk-band-red"' in text
    assert text.count('class="star-on"') == 3
    forbidden = [
        LANDLORD_NAME,
        LANDLORD_ID,
        LANDLORD_PHONE,
        mask_phone(LANDLORD_PHONE),
        "李秀兰",
        "赵建国",
        "电动车",
        "拒不整改",
        "推荐",
    ]
    for _name, id_number, phone in TENANTS:
        forbidden += [id_number, phone, mask_phone(phone)]
    for secret in forbidden:
        assert secret not in text, secret


def test_an_unknown_or_retired_token_is_404(world, yards):
    a, _b = yards
    client = Client()
    assert client.get(f"/public/courtyards/{uuid.uuid4()}/").status_code == 404
    assert client.get("/public/courtyards/not-a-token/").status_code == 404
    Courtyard.objects.filter(pk=a.pk).update(retired_at=timezone.now())
    assert client.get(f"/public/courtyards/{a.public_token}/").status_code == 404


def test_inspection_items_are_scoped_like_their_courtyard(world, yards):
    a, b = yards
    inspect(world, a, datetime.date(2026, 1, 5))
    inspect(world, b, datetime.date(2026, 1, 5))
    assert (
        InspectionItem.objects.visible_to(world.worker_b).filter(inspection__courtyard=a).count()
        == 0
    )
