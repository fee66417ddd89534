"""Areas, residents (masked), houses, courtyards, categories, KPIs and /me: each resource, and what
each persona may see of it (out of scope = 404, never 403)."""

from __future__ import annotations

import pytest

from gridgov.core.identifiers import id_number_check_character
from gridgov.registry.models import (
    Courtyard,
    EmergencyContact,
    House,
    HouseUse,
    Landlord,
    Resident,
    RiskColor,
)
from gridgov.registry.services import resident_clean, resident_create

pytestmark = pytest.mark.django_db

ID_A = "11010519491231002" + id_number_check_character("11010519491231002")
ID_B = "11010519800101003" + id_number_check_character("11010519800101003")


@pytest.fixture
def registry(world):
    house_a = House.objects.create(area=world.grid_a, address="东湖路1号101", use=HouseUse.RENTED)
    house_b = House.objects.create(area=world.grid_b, address="东湖路9号", use=HouseUse.VACANT)
    zhang = resident_create(
        actor=world.admin,
        data=resident_clean(
            name="张秀英",
            area=world.grid_a,
            id_number=ID_A,
            phone="13812345678",
            tags=["elderly_alone"],
        ),
    )
    Resident.objects.filter(pk=zhang.pk).update(house=house_a)
    EmergencyContact.objects.create(
        resident=zhang, name="张强", relation="儿子", phone="13900001111"
    )
    li = resident_create(
        actor=world.admin,
        data=resident_clean(name="李四", area=world.grid_b, id_number=ID_B, phone="13700002222"),
    )
    landlord = Landlord.objects.create(area=world.grid_a, name="王房东", phone="13655556666")
    yard_a = Courtyard.objects.create(
        area=world.grid_a,
        code="Y1",
        name="甲格大院",
        address="甲路1号",
        landlord=landlord,
        risk_color=RiskColor.YELLOW,
        risk_override=RiskColor.RED,
        risk_override_reason="消防通道堵塞",
    )
    yard_b = Courtyard.objects.create(
        area=world.grid_b, code="Y2", name="乙格大院", address="乙路2号"
    )
    return {
        "house_a": house_a,
        "house_b": house_b,
        "zhang": zhang,
        "li": li,
        "yard_a": yard_a,
        "yard_b": yard_b,
    }


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


def test_me_names_the_caller_and_roles(world, api):
    body = api(world.worker_a).get("/api/v1/me").json()
    assert body["username"] == "worker_a"
    assert body["roles"] == [
        {"role": "grid_worker", "area_code": world.grid_a.code, "department_id": None}
    ]
    assert body["sees_everything"] is False


def test_areas_as_far_as_the_scope_reaches(world, api):
    assert codes(api(world.worker_a).get("/api/v1/areas")) == [world.grid_a.code]
    assert codes(api(world.secretary).get("/api/v1/areas")) == [
        world.community1.code,
        world.grid_a.code,
        world.grid_b.code,
    ]
    assert codes(api(world.handler).get("/api/v1/areas")) == []
    officer = api(world.officer)
    page = officer.get("/api/v1/areas", level="grid", limit=2).json()
    assert (page["count"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [a["code"] for a in page["items"]] == [world.grid_a.code, world.grid_b.code]
    rest = officer.get("/api/v1/areas", level="grid", limit=2, offset=2).json()
    assert [a["code"] for a in rest["items"]] == [world.grid_c.code] and rest["count"] == 3
    assert codes(officer.get("/api/v1/areas", q="西苑")) == [
        world.community2.code,
        world.grid_c.code,
    ]


def test_area_detail_and_children(world, api, registry):
    secretary = api(world.secretary)
    detail = secretary.get(f"/api/v1/areas/{world.grid_a.code}").json()
    assert detail["name"] == "东湖第一网格" and detail["parent_code"] == world.community1.code
    assert detail["counts"] == {"households": 1, "residents": 1, "courtyards": 1}
    assert [a["code"] for a in detail["ancestors"]] == [
        world.district.code,
        world.street.code,
        world.community1.code,
    ]
    children = secretary.get(f"/api/v1/areas/{world.community1.code}/children").json()
    assert [a["code"] for a in children["items"]] == [world.grid_a.code, world.grid_b.code]
    # Another community: outside the scope, so it does not exist.
    for path in (
        f"/api/v1/areas/{world.community2.code}",
        f"/api/v1/areas/{world.grid_c.code}/children",
    ):
        response = secretary.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_residents_are_masked_and_scoped(world, api, registry):
    worker_a = api(world.worker_a)
    page = worker_a.get("/api/v1/residents").json()
    assert [r["name"] for r in page["items"]] == ["张秀英"]
    zhang = page["items"][0]
    assert zhang["id_number_masked"] == ID_A[:6] + "********" + ID_A[-4:]
    assert zhang["phone_masked"] == "138****5678"
    assert zhang["tags"] == ["elderly_alone"]
    assert ID_A not in str(page) and "13812345678" not in str(page)
    detail = worker_a.get(f"/api/v1/residents/{registry['zhang'].pk}").json()
    assert detail["emergency_contacts"] == [
        {"name": "张强", "relation": "儿子", "phone_masked": "139****1111"}
    ]
    # Grid B's resident does not exist for grid A's worker, by id or by search.
    assert worker_a.get(f"/api/v1/residents/{registry['li'].pk}").status_code == 404
    assert worker_a.get("/api/v1/residents", q=ID_B).json()["count"] == 0
    assert api(world.worker_b).get("/api/v1/residents", q=ID_B).json()["items"][0]["name"] == "李四"
    # Department handlers and residents see nobody.
    assert api(world.handler).get("/api/v1/residents").json()["count"] == 0
    assert api(world.resident).get(f"/api/v1/residents/{registry['zhang'].pk}").status_code == 404


def test_resident_search_by_phone_and_tag_and_area(world, api, registry):
    secretary = api(world.secretary)
    assert [
        r["name"] for r in secretary.get("/api/v1/residents", q="13700002222").json()["items"]
    ] == ["李四"]
    assert [
        r["name"] for r in secretary.get("/api/v1/residents", tag="elderly_alone").json()["items"]
    ] == ["张秀英"]
    assert [
        r["name"]
        for r in secretary.get("/api/v1/residents", area=world.grid_b.code).json()["items"]
    ] == ["李四"]
    # An area outside the scope is a field error, as if it did not exist.
    response = secretary.get("/api/v1/residents", area=world.grid_c.code)
    assert response.status_code == 422 and "area" in response.json()["details"]["fields"]


def test_houses(world, api, registry):
    worker_a = api(world.worker_a)
    items = worker_a.get("/api/v1/houses").json()["items"]
    assert [(h["address"], h["resident_count"]) for h in items] == [("东湖路1号101", 1)]
    assert worker_a.get(f"/api/v1/houses/{registry['house_b'].pk}").status_code == 404
    detail = api(world.secretary).get(f"/api/v1/houses/{registry['house_b'].pk}").json()
    assert detail["use"] == "vacant" and detail["use_label"] == "空置"


def test_courtyards_with_their_risk_colour(world, api, registry):
    worker_a = api(world.worker_a)
    items = worker_a.get("/api/v1/courtyards").json()["items"]
    assert len(items) == 1
    yard = items[0]
    assert (yard["risk_color"], yard["risk_color_derived"]) == ("red", "yellow")
    assert yard["risk_override_reason"] == "消防通道堵塞"
    assert yard["landlord_phone_masked"] == "136****6666"
    secretary = api(world.secretary)
    assert [
        c["code"] for c in secretary.get("/api/v1/courtyards", risk_color="red").json()["items"]
    ] == ["Y1"]
    assert [
        c["code"] for c in secretary.get("/api/v1/courtyards", risk_color="blue").json()["items"]
    ] == ["Y2"]
    assert worker_a.get(f"/api/v1/courtyards/{registry['yard_b'].pk}").status_code == 404
    assert secretary.get(f"/api/v1/courtyards/{registry['yard_b'].pk}").json()["name"] == "乙格大院"


def test_categories_tree_with_deadlines(world, api):
    tree = api(world.resident).get("/api/v1/categories").json()
    assert tree and all(not c["code"][2:] for c in tree)  # classes have 2-digit codes
    first = next(c for c in tree if c["code"] == "01")
    hallway = next(s for s in first["subcategories"] if s["code"] == "0101")
    assert hallway["deadlines"]["working_time"] is True
    assert hallway["deadlines"]["claim_within"].startswith("P")  # ISO 8601 duration


def test_kpis_for_an_area_and_month(world, api, report):
    report()
    body = api(world.secretary).get("/api/v1/kpis", area=world.community1.code).json()
    assert body["area"]["code"] == world.community1.code
    figures = {f["key"]: f for f in body["figures"]}
    assert {"response_rate", "resolution_rate", "satisfaction_rate", "composite_score"} <= set(
        figures
    )
    assert figures["response_rate"]["value"] is None and figures["response_rate"]["text"] == "—"
    # Outside the scope: 404; a resident has no figures; a bad month is a field error.
    assert api(world.secretary).get("/api/v1/kpis", area=world.community2.code).status_code == 404
    assert api(world.resident).get("/api/v1/kpis").status_code == 403
    bad = api(world.secretary).get("/api/v1/kpis", month="2026-13")
    assert bad.status_code == 422 and "month" in bad.json()["details"]["fields"]
