"""Exports: scoped to the user's areas and masked (no full ID or phone number in the file)."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from gridgov.core.identifiers import id_number_check_character
from gridgov.registry.models import Courtyard, Landlord
from gridgov.registry.services import resident_clean, resident_create

pytestmark = pytest.mark.django_db

ZHANG = "11010519491231002" + id_number_check_character("11010519491231002")
LI = "11010519520315001" + id_number_check_character("11010519520315001")


def rows_of(response) -> list[list]:
    content = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.fixture
def residents(world):
    resident_create(
        actor=world.admin,
        data=resident_clean(
            name="甲格居民",
            area=world.grid_a,
            id_number=ZHANG,
            phone="13812345678",
            tags=["disabled"],
        ),
    )
    resident_create(
        actor=world.admin,
        data=resident_clean(name="乙格居民", area=world.grid_b, id_number=LI, phone="13900001111"),
    )


def test_worker_a_exports_only_grid_a_masked(world, login, residents):
    response = login(world.worker_a).get("/registry/imports/export/residents/")
    assert response.status_code == 200
    rows = rows_of(response)
    assert rows[0][:4] == ["姓名", "证件类型", "证件号码", "联系电话"]
    assert [row[0] for row in rows[1:]] == ["甲格居民"]
    text = str(rows)
    assert ZHANG not in text and "13812345678" not in text and LI not in text
    assert rows[1][2] == ZHANG[:6] + "********" + ZHANG[-4:]
    assert rows[1][3] == "138****5678"
    assert rows[1][9] == "残疾人"


def test_secretary_exports_the_community(world, login, residents):
    rows = rows_of(login(world.secretary).get("/registry/imports/export/residents/"))
    assert sorted(row[0] for row in rows[1:]) == ["乙格居民", "甲格居民"]


def test_courtyard_export_masks_the_landlord(world, login):
    landlord = Landlord.objects.create(
        area=world.grid_a, name="王房东", id_number=ZHANG, phone="13812345678"
    )
    Courtyard.objects.create(
        area=world.grid_a, code="Y1", name="东湖大院", address="东湖路1号", landlord=landlord
    )
    Courtyard.objects.create(area=world.grid_b, code="Y2", name="乙格大院", address="乙路2号")
    rows = rows_of(login(world.worker_a).get("/registry/imports/export/courtyards/"))
    assert [row[0] for row in rows[1:]] == ["Y1"]
    assert ZHANG not in str(rows) and "13812345678" not in str(rows)


def test_export_command(world, residents, tmp_path):
    from django.core.management import call_command

    target = tmp_path / "out.xlsx"
    call_command("export", "residents", str(target), user="worker_b", stdout=io.StringIO())
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in rows[1:]] == ["乙格居民"]
    assert LI not in str(rows)


def test_export_of_an_unknown_kind_is_404(world, login):
    assert login(world.admin).get("/registry/imports/export/areas/").status_code == 404
