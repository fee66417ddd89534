"""The operator's page: a call becomes a hotline case with the caller's number encrypted; bad
input is refused with reasons and changes nothing; the same work order is one case; scoped."""

from __future__ import annotations

import pytest
from django.db import connection

from gridgov.cases.models import Case, Category

pytestmark = pytest.mark.django_db


def form(world, **overrides):
    data = {
        "order_number": "GD20260301001",
        "caller_phone": "13812345678",
        "caller_name": "刘先生",
        "category": Category.objects.get(code="0101").pk,
        "urgency": "normal",
        "area": world.grid_a.pk,
        "address": "东湖路8号",
        "title": "",
        "description": "三单元楼道堆放纸箱，影响通行。",
    }
    data.update(overrides)
    return data


def test_the_operator_files_a_call_as_a_hotline_case_with_the_number_encrypted(
    world, taxonomy, login
):
    client = login(world.secretary)
    assert client.get("/hotline/").status_code == 200
    response = client.post("/hotline/", form(world))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.channel == "hotline" and case.status == "reported"
    assert case.reporter_user is None and case.created_by == world.secretary
    assert case.reporter_name == "刘先生" and case.callback_phone == "13812345678"
    assert case.client_key == "12345:GD20260301001"
    assert case.title == "三单元楼道堆放纸箱，影响通行。" and case.area == world.grid_a
    with connection.cursor() as cursor:
        cursor.execute("SELECT callback_phone FROM cases_case WHERE id = %s", [case.pk])
        raw = cursor.fetchone()[0]
    assert "13812345678" not in raw and "5678" not in raw
    page = client.get("/hotline/").content.decode()
    assert "138****5678" in page and "13812345678" not in page


def test_the_same_work_order_twice_is_one_case(world, taxonomy, login):
    client = login(world.secretary)
    first = client.post("/hotline/", form(world))
    second = client.post("/hotline/", form(world, description="再次来电催办。"))
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_call_without_a_work_order_is_filed_each_time(world, taxonomy, login):
    client = login(world.secretary)
    client.post("/hotline/", form(world, order_number=""))
    client.post("/hotline/", form(world, order_number=""))
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("caller_phone", ""),
        ("caller_phone", "12345"),
        ("description", ""),
        ("category", ""),
        ("area", ""),
    ],
)
def test_bad_input_is_refused_with_its_reason_and_nothing_is_filed(
    world, taxonomy, login, field, value
):
    client = login(world.secretary)
    response = client.post("/hotline/", form(world, **{field: value}))
    assert response.status_code == 400
    assert f'data-field="{field}"'.encode() in response.content
    page = response.content.decode()
    assert 'class="field has-error" data-field="' + field + '"' in page
    assert Case.objects.count() == 0


def test_an_area_outside_the_operators_scope_is_refused(world, taxonomy, login):
    client = login(world.secretary)  # community 1 only
    response = client.post("/hotline/", form(world, area=world.grid_c.pk))
    assert response.status_code == 400 and Case.objects.count() == 0


def test_only_intake_staff_take_calls(world, taxonomy, login):
    assert login(world.worker_a).get("/hotline/").status_code == 403
    assert login(world.resident).post("/hotline/", form(world)).status_code == 403
    assert login(world.handler).get("/hotline/imports/").status_code == 403
    assert Case.objects.count() == 0
