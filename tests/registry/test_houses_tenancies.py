"""House, landlord and tenancy pages and their services: scoping for every persona, validation
with reasons and nothing saved, the courtyard's tenant count, the area summary, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.core.identifiers import id_number_check_character
from gridgov.core.models import Role
from gridgov.registry.models import Courtyard, House, Landlord, RentalRegistration, Resident
from gridgov.registry.services import resident_clean, resident_create
from gridgov.registry.services_houses import house_clean, house_create, house_update
from gridgov.registry.services_rentals import rental_end, rental_list, rental_register
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.django_db

HOUSES = "/registry/houses/"
LANDLORDS = "/registry/landlords/"
TENANCIES = "/registry/tenancies/"
LANDLORD_ID = "110105196501010016"
LANDLORD_PHONE = "13511112222"
TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def client_for(login):
    def make_client(user):
        client = login(user)
        client.cookies["gridgov_language"] = "en"
        return client

    return make_client


@pytest.fixture
def place(world):
    """A house in each grid, a landlord with a courtyard in grid A and one in grid B, tenants."""
    house_a = House.objects.create(area=world.grid_a, address="东湖路1号", use="rented")
    house_b = House.objects.create(area=world.grid_b, address="东湖路2号", use="owner_occupied")
    house_c = House.objects.create(area=world.grid_c, address="西苑路3号", use="vacant")
    landlord = Landlord.objects.create(
        area=world.grid_a, name="房东老刘", id_number=LANDLORD_ID, phone=LANDLORD_PHONE
    )
    landlord_b = Landlord.objects.create(area=world.grid_b, name="房东老赵")
    courtyard_a = Courtyard.objects.create(
        area=world.grid_a, code="Y-A-1", name="刘家院", address="东湖路5号", landlord=landlord
    )
    courtyard_b = Courtyard.objects.create(
        area=world.grid_b, code="Y-B-1", name="刘家二院", address="东湖路6号", landlord=landlord
    )
    tenant_a = resident_create(
        actor=world.admin,
        data=resident_clean(name="租户甲", area=world.grid_a, residence_type="floating"),
    )
    tenant_b = resident_create(
        actor=world.admin,
        data=resident_clean(name="租户乙", area=world.grid_b, residence_type="floating"),
    )
    Resident.objects.filter(pk=tenant_a.pk).update(house=house_a)
    return {
        "house_a": house_a,
        "house_b": house_b,
        "house_c": house_c,
        "landlord": landlord,
        "landlord_b": landlord_b,
        "courtyard_a": courtyard_a,
        "courtyard_b": courtyard_b,
        "tenant_a": tenant_a,
        "tenant_b": tenant_b,
    }


# Scoping of lists and details ------------------------------------------------------------------

EVERY_PERSONA = ["admin", "officer", "secretary", "worker_a", "worker_b", "handler"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", {"东湖路1号", "东湖路2号", "西苑路3号"}),
        ("officer", {"东湖路1号", "东湖路2号", "西苑路3号"}),
        ("secretary", {"东湖路1号", "东湖路2号"}),
        ("worker_a", {"东湖路1号"}),
        ("worker_b", {"东湖路2号"}),
        ("handler", set()),
    ],
)
def test_house_list_and_detail_are_scoped(world, place, client_for, persona, expected):
    client = client_for(getattr(world, persona))
    response = client.get(HOUSES)
    assert response.status_code == 200
    assert {house.address for house in response.context["page"].object_list} == expected
    for key in ("house_a", "house_b", "house_c"):
        house = place[key]
        status = client.get(f"{HOUSES}{house.pk}/").status_code
        assert status == (200 if house.address in expected else 404), (persona, key)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", {"房东老刘", "房东老赵"}),
        ("secretary", {"房东老刘", "房东老赵"}),
        ("worker_a", {"房东老刘"}),
        ("worker_b", {"房东老赵"}),
        ("handler", set()),
    ],
)
def test_landlord_list_and_detail_are_scoped(world, place, client_for, persona, expected):
    client = client_for(getattr(world, persona))
    response = client.get(LANDLORDS)
    assert {landlord.name for landlord in response.context["page"].object_list} == expected
    for key in ("landlord", "landlord_b"):
        landlord = place[key]
        status = client.get(f"{LANDLORDS}{landlord.pk}/").status_code
        assert status == (200 if landlord.name in expected else 404), (persona, key)


def test_landlord_detail_lists_only_the_courtyards_in_scope_with_masked_identifiers(
    world, place, client_for
):
    landlord = place["landlord"]
    response = client_for(world.worker_a).get(f"{LANDLORDS}{landlord.pk}/")
    assert [c.name for c in response.context["courtyards"]] == ["刘家院"]
    html = response.content.decode()
    assert "刘家二院" not in html
    assert "110105********0016" in html and "135****2222" in html
    assert LANDLORD_ID not in html and LANDLORD_PHONE not in html
    response = client_for(world.secretary).get(f"{LANDLORDS}{landlord.pk}/")
    assert [c.name for c in response.context["courtyards"]] == ["刘家院", "刘家二院"]
    list_html = client_for(world.secretary).get(LANDLORDS).content.decode()
    assert LANDLORD_PHONE not in list_html and "135****2222" in list_html


def test_residents_never_open_house_landlord_or_tenancy_pages(world, place, client_for):
    client = client_for(world.resident)
    for url in (
        HOUSES,
        f"{HOUSES}{place['house_a'].pk}/",
        LANDLORDS,
        TENANCIES,
        f"{TENANCIES}new/",
    ):
        assert client.get(url).status_code == 403, url


# Houses ----------------------------------------------------------------------------------------


def test_house_search_and_filters(world, place, client_for):
    client = client_for(world.secretary)

    def addresses(**params):
        return {h.address for h in client.get(HOUSES, params).context["page"].object_list}

    assert addresses(q="1号") == {"东湖路1号"}
    assert addresses(use="owner_occupied") == {"东湖路2号"}
    assert addresses(area=world.grid_a.pk) == {"东湖路1号"}


def test_house_detail_shows_residents_owner_and_tenancies(world, place, client_for):
    rental_register(
        actor=world.worker_a,
        resident=place["tenant_a"],
        house=place["house_a"],
        room="101",
        start_date=datetime.date(2025, 1, 1),
    )
    response = client_for(world.worker_a).get(f"{HOUSES}{place['house_a'].pk}/")
    assert [r.name for r in response.context["residents"]] == ["租户甲"]
    assert [t.resident.name for t in response.context["tenancies"]] == ["租户甲"]
    assert response.context["may_write"] is True


def test_house_is_created_through_the_form(world, client_for):
    client = client_for(world.worker_a)
    response = client.post(
        f"{HOUSES}new/",
        {"area": world.grid_a.pk, "address": " 东湖路8号 ", "use": "rented", "floor_area": "56.5"},
    )
    house = House.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{HOUSES}{house.pk}/"
    assert (house.address, house.use, str(house.floor_area)) == ("东湖路8号", "rented", "56.50")


@pytest.mark.parametrize(
    ("post", "field", "reason"),
    [
        ({"address": "", "use": "rented"}, "address", "This field is required"),
        ({"address": "东湖路1号", "use": "rented"}, "address", "A house with this address exists"),
        ({"address": "东湖路9号", "use": "palace"}, "use", "Select a valid choice"),
        (
            {"address": "东湖路9号", "use": "rented", "floor_area": "-3"},
            "floor_area",
            "more than 0",
        ),
    ],
)
def test_bad_house_input_is_shown_and_nothing_is_saved(
    world, place, client_for, post, field, reason
):
    before = House.objects.count()
    response = client_for(world.worker_a).post(f"{HOUSES}new/", {"area": world.grid_a.pk, **post})
    assert response.status_code == 200
    assert reason in " ".join(response.context["form"].errors[field])
    assert reason in response.content.decode()
    assert House.objects.count() == before


def test_worker_of_grid_a_cannot_create_or_edit_houses_of_grid_b(world, place, client_for):
    client = client_for(world.worker_a)
    response = client.post(
        f"{HOUSES}new/", {"area": world.grid_b.pk, "address": "X", "use": "rented"}
    )
    assert response.status_code == 200
    assert "area" in response.context["form"].errors
    house_b = place["house_b"]
    post = {"area": world.grid_a.pk, "address": "改", "use": "vacant"}
    assert client.get(f"{HOUSES}{house_b.pk}/edit/").status_code == 404
    assert client.post(f"{HOUSES}{house_b.pk}/edit/", post).status_code == 404
    house_b.refresh_from_db()
    assert (house_b.address, house_b.area) == ("东湖路2号", world.grid_b)
    assert not House.objects.filter(address="X").exists()


def test_non_writer_gets_403_on_a_visible_house(world, place, client_for):
    instructor = UserFactory(username="instructor", full_name="网格指导员")
    assign(instructor, Role.GRID_INSTRUCTOR, world.grid_a)
    client = client_for(instructor)
    house = place["house_a"]
    assert client.get(f"{HOUSES}{house.pk}/").status_code == 200
    post = {"area": world.grid_a.pk, "address": "改", "use": "vacant"}
    assert client.post(f"{HOUSES}{house.pk}/edit/", post).status_code == 403
    house.refresh_from_db()
    assert house.address == "东湖路1号"


def test_house_edit_through_the_form(world, place, client_for):
    house = place["house_a"]
    response = client_for(world.secretary).post(
        f"{HOUSES}{house.pk}/edit/",
        {"area": world.grid_a.pk, "address": "东湖路1号", "use": "vacant", "owner_name": "刘某"},
    )
    assert response.status_code == 302
    house.refresh_from_db()
    assert (house.use, house.owner_name) == ("vacant", "刘某")


def test_house_services_check_the_writer(world, place):
    data = house_clean(area=world.grid_b, address="东湖路7号", use="rented")
    with pytest.raises(PermissionDenied):
        house_create(actor=world.worker_a, data=data)
    with pytest.raises(PermissionDenied):
        house_update(actor=world.worker_a, house=place["house_b"], data=data)
    with pytest.raises(ValidationError) as raised:
        house_clean(area=None, address="", use="castle")
    assert set(raised.value.message_dict) == {"area", "address", "use"}
    assert not House.objects.filter(address="东湖路7号").exists()


# Tenancies: the service ------------------------------------------------------------------------


def test_rental_register_validates_dates_place_and_scope(world, place):
    tenant = place["tenant_a"]
    with pytest.raises(ValidationError) as raised:
        rental_register(
            actor=world.worker_a,
            resident=tenant,
            courtyard=place["courtyard_a"],
            start_date=datetime.date(2026, 3, 1),
            end_date=datetime.date(2026, 2, 1),
        )
    assert "end_date" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        rental_register(actor=world.worker_a, resident=tenant, start_date=datetime.date(2026, 3, 1))
    assert "Choose a courtyard or a house." in raised.value.messages
    with pytest.raises(ValidationError) as raised:
        rental_register(
            actor=world.worker_a,
            resident=tenant,
            courtyard=place["courtyard_a"],
            house=place["house_a"],
            start_date=datetime.date(2026, 3, 1),
        )
    assert "Choose a courtyard or a house, not both." in raised.value.messages
    with pytest.raises(ValidationError) as raised:
        rental_register(
            actor=world.worker_a,
            resident=tenant,
            courtyard=place["courtyard_b"],  # grid B: out of worker A's scope
            start_date=datetime.date(2026, 3, 1),
        )
    assert "courtyard" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        rental_register(
            actor=world.worker_a,
            resident=place["tenant_b"],  # a grid B resident
            courtyard=place["courtyard_a"],
            start_date=datetime.date(2026, 3, 1),
        )
    assert "resident" in raised.value.message_dict
    assert not RentalRegistration.objects.exists()
    place["courtyard_a"].refresh_from_db()
    assert place["courtyard_a"].tenant_count == 0


def test_rental_register_and_end_keep_the_courtyard_tenant_count(world, place):
    courtyard = place["courtyard_a"]
    today = timezone.localdate()
    registration = rental_register(
        actor=world.worker_a,
        resident=place["tenant_a"],
        courtyard=courtyard,
        room="3",
        start_date=today - datetime.timedelta(days=10),
    )
    courtyard.refresh_from_db()
    assert courtyard.tenant_count == 1
    assert registration.area == world.grid_a and registration.registered_by == world.worker_a
    with pytest.raises(ValidationError):  # the same person, the same place, overlapping
        rental_register(
            actor=world.worker_a,
            resident=place["tenant_a"],
            courtyard=courtyard,
            start_date=today,
        )
    with pytest.raises(ValidationError):
        rental_end(
            actor=world.worker_a, registration=registration, on=today - datetime.timedelta(days=30)
        )
    rental_end(
        actor=world.worker_a, registration=registration, on=today - datetime.timedelta(days=1)
    )
    courtyard.refresh_from_db()
    assert courtyard.tenant_count == 0
    with pytest.raises(ValidationError):  # already ended
        rental_end(actor=world.worker_a, registration=registration, on=today)
    with pytest.raises(PermissionDenied):
        rental_end(actor=world.worker_b, registration=registration, on=today)


def test_rental_list_status_filters(world, place):
    tenant = place["tenant_a"]
    courtyard = place["courtyard_a"]

    def register(start, end, room):
        return rental_register(
            actor=world.admin,
            resident=tenant,
            courtyard=courtyard,
            room=room,
            start_date=start,
            end_date=end,
        )

    ended = register(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), "1")
    ending = register(datetime.date(2026, 1, 1), TODAY + datetime.timedelta(days=20), "2")
    active = RentalRegistration.objects.create(
        area=world.grid_a,
        resident=tenant,
        house=place["house_a"],
        start_date=datetime.date(2026, 2, 1),
    )
    upcoming = RentalRegistration.objects.create(
        area=world.grid_a,
        resident=tenant,
        house=place["house_a"],
        start_date=TODAY + datetime.timedelta(days=5),
    )

    def rooms(status):
        return {r.pk for r in rental_list(world.worker_a, status=status, today=TODAY)}

    assert rooms("active") == {ending.pk, active.pk}
    assert rooms("ending") == {ending.pk}
    assert rooms("ended") == {ended.pk}
    assert rooms("upcoming") == {upcoming.pk}
    assert rooms("") == {ended.pk, ending.pk, active.pk, upcoming.pk}
    assert list(rental_list(world.worker_b, today=TODAY)) == []


# Tenancies: the pages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", {"租户甲", "租户乙"}),
        ("secretary", {"租户甲", "租户乙"}),
        ("worker_a", {"租户甲"}),
        ("worker_b", {"租户乙"}),
        ("handler", set()),
    ],
)
def test_tenancy_list_is_scoped(world, place, client_for, persona, expected):
    for key, courtyard in (("tenant_a", "courtyard_a"), ("tenant_b", "courtyard_b")):
        rental_register(
            actor=world.admin,
            resident=place[key],
            courtyard=place[courtyard],
            start_date=datetime.date(2026, 1, 1),
        )
    response = client_for(getattr(world, persona)).get(TENANCIES)
    assert response.status_code == 200
    assert {t.resident.name for t in response.context["page"].object_list} == expected


def test_tenancy_is_registered_and_ended_through_the_pages(world, place, client_for):
    client = client_for(world.worker_a)
    response = client.post(f"{TENANCIES}new/", {"q": "租户"})
    assert [r.name for r in response.context["candidates"]] == ["租户甲"]  # not grid B's
    url = f"{TENANCIES}new/?resident={place['tenant_a'].pk}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "courtyard": place["courtyard_a"].pk,
            "room": "7",
            "start_date": "2026-03-01",
            "end_date": "2026-02-01",
        },
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert not RentalRegistration.objects.exists()
    response = client.post(url, {"courtyard": place["courtyard_b"].pk, "start_date": "2026-03-01"})
    assert response.status_code == 200  # grid B's courtyard is not on offer
    assert "courtyard" in response.context["form"].errors
    assert not RentalRegistration.objects.exists()
    start = timezone.localdate() - datetime.timedelta(days=3)
    response = client.post(
        url, {"courtyard": place["courtyard_a"].pk, "room": "7", "start_date": start.isoformat()}
    )
    assert response.status_code == 302
    registration = RentalRegistration.objects.get()
    place["courtyard_a"].refresh_from_db()
    assert place["courtyard_a"].tenant_count == 1
    end_url = f"{TENANCIES}{registration.pk}/end/"
    assert (
        client_for(world.worker_b).post(end_url, {"end_date": start.isoformat()}).status_code == 404
    )
    response = client.post(end_url, {"end_date": start.isoformat()})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.end_date == start
    place["courtyard_a"].refresh_from_db()
    assert place["courtyard_a"].tenant_count == 0


def test_tenant_search_by_id_number_is_posted_and_not_echoed(world, place, client_for):
    tenant = place["tenant_a"]
    number = "11010519900307001" + id_number_check_character("11010519900307001")
    tenant.id_number = number
    tenant.save()
    response = client_for(world.worker_a).post(f"{TENANCIES}new/", {"q": number})
    assert [r.name for r in response.context["candidates"]] == ["租户甲"]
    assert number not in response.content.decode()


# The area summary ------------------------------------------------------------------------------


def test_area_people_summary_counts_the_subtree(world, place):
    html = Template("{% load registry %}{% area_people_summary area %}").render(
        Context({"area": world.community1})
    )
    assert 'data-count="households">2<' in html
    assert 'data-count="residents">2<' in html
    assert 'data-count="courtyards">2<' in html
    assert f"/registry/residents/?area={world.community1.pk}" in html
    html = Template("{% load registry %}{% area_people_summary area %}").render(
        Context({"area": world.grid_c})
    )
    assert 'data-count="households">1<' in html and 'data-count="residents">0<' in html


# Query counts ----------------------------------------------------------------------------------


def test_house_and_tenancy_lists_do_not_grow_with_the_page(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.worker_a)
    client.get(HOUSES)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add(first, last):
        for number in range(first, last):
            house = House.objects.create(
                area=world.grid_a, address=f"东湖路{number}号", use="rented"
            )
            tenant = Resident.objects.create(area=world.grid_a, name=f"租户{number}", house=house)
            RentalRegistration.objects.create(
                area=world.grid_a,
                resident=tenant,
                house=house,
                start_date=datetime.date(2026, 1, 1),
            )

    add(0, 2)
    few_houses, few_tenancies = count(HOUSES), count(TENANCIES)
    add(2, 60)
    assert count(HOUSES) == few_houses
    assert count(TENANCIES) == few_tenancies
    with django_assert_max_num_queries(12):
        client.get(HOUSES)
    with django_assert_max_num_queries(12):
        client.get(TENANCIES)
