"""Look-up of residents and households on the phone: the worker's own grid only, masked,
exact phone and ID number through the blind index."""

from __future__ import annotations

import pytest

from gridgov.registry.models import House, HouseUse, Resident

pytestmark = pytest.mark.django_db

PHONE_A, ID_A = "13912345678", "110105199001011234"
PHONE_B, ID_B = "13887654321", "110105198505054321"


@pytest.fixture
def people(world):
    house_a = House.objects.create(
        area=world.grid_a, address="东湖路1号3单元201", use=HouseUse.OWNER_OCCUPIED
    )
    house_b = House.objects.create(
        area=world.grid_b, address="东湖路9号1单元101", use=HouseUse.RENTED
    )
    a = Resident.objects.create(
        area=world.grid_a,
        house=house_a,
        name="张秀兰",
        phone=PHONE_A,
        id_number=ID_A,
        address="东湖路1号3单元201",
    )
    b = Resident.objects.create(
        area=world.grid_b,
        house=house_b,
        name="张建国",
        phone=PHONE_B,
        id_number=ID_B,
        address="东湖路9号1单元101",
    )
    return a, b, house_a, house_b


def search(client, query):
    return client.post("/w/lookup/", {"q": query}).content.decode()


def test_search_by_name_lists_only_the_own_grid(world, people, login):
    a, b, _house_a, _house_b = people
    body = search(login(world.worker_a), "张")
    assert a.name in body and b.name not in body
    assert PHONE_A not in body and "139****5678" in body


def test_exact_phone_and_id_number_find_through_the_blind_index(world, people, login):
    a, b, _house_a, _house_b = people
    client = login(world.worker_a)
    assert a.name in search(client, PHONE_A)
    assert a.name in search(client, ID_A)
    # Another grid's resident is not found even by their exact number.
    body = search(client, PHONE_B)
    assert b.name not in body and "data-no-residents" in body
    assert b.name not in search(client, ID_B)
    # Worker B finds their own.
    assert b.name in search(login(world.worker_b), PHONE_B)


def test_resident_and_household_pages_are_masked_and_scoped(world, people, login):
    a, b, house_a, house_b = people
    client = login(world.worker_a)
    page = client.get(f"/w/lookup/residents/{a.pk}/").content.decode()
    assert a.name in page and "139****5678" in page and "110105********1234" in page
    assert PHONE_A not in page and ID_A not in page
    assert client.get(f"/w/lookup/residents/{b.pk}/").status_code == 404
    page = client.get(f"/w/lookup/houses/{house_a.pk}/").content.decode()
    assert a.name in page
    assert client.get(f"/w/lookup/houses/{house_b.pk}/").status_code == 404


def test_households_are_found_by_address(world, people, login):
    _a, _b, house_a, house_b = people
    body = search(login(world.worker_a), "东湖路")
    assert f'data-house="{house_a.pk}"' in body and f'data-house="{house_b.pk}"' not in body


def test_a_search_is_never_a_get_with_the_number_in_the_url(world, people, login):
    body = login(world.worker_a).get(f"/w/lookup/?q={PHONE_A}").content.decode()
    assert "张秀兰" not in body
