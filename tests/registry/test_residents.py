"""Residents: validation with reasons, derived fields, search through blind indexes, scoping."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gridgov.core.identifiers import id_number_check_character
from gridgov.registry.models import Resident
from gridgov.registry.selectors import resident_list
from gridgov.registry.services import resident_clean, resident_create

pytestmark = pytest.mark.django_db


def id_number(body17: str) -> str:
    return body17 + id_number_check_character(body17)


ZHANG = id_number("11010519491231002")  # born 1949-12-31, 17th digit 2: female


def make(world, name="张秀英", area=None, **fields):
    data = resident_clean(name=name, area=area or world.grid_a, **fields)
    return resident_create(actor=world.worker_a if area is None else world.admin, data=data)


def test_sex_and_birth_date_come_from_the_id_number(world):
    resident = make(world, id_number=ZHANG, phone="138 1234 5678", tags=["elderly_alone"])
    assert resident.sex == "female"
    assert resident.birth_date == datetime.date(1949, 12, 31)
    assert resident.phone == "13812345678"
    assert list(resident.tags.values_list("tag", flat=True)) == ["elderly_alone"]


def test_every_problem_is_reported_by_field(world):
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        resident_clean(
            name="",
            area=world.grid_a,
            id_number=ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1"),
            phone="12345",
            tags=["nonsense"],
        )
    errors = raised.value.message_dict
    assert set(errors) == {"name", "id_number", "phone", "tags"}
    assert "check character" in errors["id_number"][0]


def test_the_same_id_number_cannot_be_registered_twice(world):
    make(world, id_number=ZHANG)
    with pytest.raises(ValidationError):
        make(world, name="另一个人", id_number=ZHANG.lower())
    assert Resident.objects.count() == 1


def test_grid_worker_cannot_register_in_another_grid(world):
    data = resident_clean(name="外格居民", area=world.grid_b)
    with pytest.raises(PermissionDenied):
        resident_create(actor=world.worker_a, data=data)
    assert not Resident.objects.exists()


def test_search_by_exact_id_number_and_phone_goes_through_the_blind_index(world):
    make(world, id_number=ZHANG, phone="13812345678")
    make(world, name="李强", phone="13900001111")
    assert [r.name for r in resident_list(world.worker_a, query=ZHANG)] == ["张秀英"]
    assert [r.name for r in resident_list(world.worker_a, query="13900001111")] == ["李强"]
    assert [r.name for r in resident_list(world.worker_a, query="李")] == ["李强"]
    assert list(resident_list(world.worker_a, query="13800000000")) == []


def test_lists_are_scoped(world):
    make(world)
    make(world, name="乙格居民", area=world.grid_b)
    assert [r.name for r in resident_list(world.worker_a)] == ["张秀英"]
    assert [r.name for r in resident_list(world.worker_b)] == ["乙格居民"]
    assert len(resident_list(world.secretary)) == 2
    assert list(resident_list(world.handler)) == []
