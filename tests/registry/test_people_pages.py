"""Resident pages: scoping for every persona, search through the blind index, forms that show the
service's reasons and save nothing on error, masked identifiers, history, pinned query counts."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.core.identifiers import id_number_check_character
from gridgov.core.models import Role
from gridgov.core.personal_data import register_revealable
from gridgov.registry.models import EmergencyContact, House, Resident, ResidentTag
from gridgov.registry.services import resident_clean, resident_create
from gridgov.registry.services_contacts import emergency_contact_add
from tests.factories import UserFactory, assign

pytestmark = pytest.mark.django_db

LIST = "/registry/residents/"


def id_number(body17: str) -> str:
    return body17 + id_number_check_character(body17)


ZHANG_ID = id_number("11010519491231002")  # female, born 1949-12-31
WANG_ID = id_number("11010519800101001")  # male, born 1980-01-01
ZHANG_PHONE = "13812345678"
WANG_PHONE = "13900001111"


def make(world, name, area, **fields):
    return resident_create(actor=world.admin, data=resident_clean(name=name, area=area, **fields))


@pytest.fixture
def people(world):
    """One resident in each grid; the one in grid A has full identifiers, tags and a contact."""
    zhang = make(
        world,
        "张秀英",
        world.grid_a,
        id_number=ZHANG_ID,
        phone=ZHANG_PHONE,
        tags=["elderly_alone", "very_old"],
        address="东湖路1号",
    )
    emergency_contact_add(
        actor=world.admin, resident=zhang, name="张伟", relation="儿子", phone="13600002222"
    )
    wang = make(
        world,
        "王建国",
        world.grid_b,
        id_number=WANG_ID,
        phone=WANG_PHONE,
        residence_type="floating",
    )
    chen = make(world, "陈西苑", world.grid_c)
    return {"zhang": zhang, "wang": wang, "chen": chen}


@pytest.fixture
def client_for(login):
    """A signed-in client that reads the English pages (messages are asserted in English)."""

    def make_client(user):
        client = login(user)
        client.cookies["gridgov_language"] = "en"
        return client

    return make_client


def search(client, **filters):
    """Submit the filter form as the page does (posted; redirected to GET unless an identifier)."""
    return client.post(LIST, filters, follow=True)


def names_in(response) -> set[str]:
    return {resident.name for resident in response.context["page"].object_list}


# Scoping ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", {"张秀英", "王建国", "陈西苑"}),
        ("officer", {"张秀英", "王建国", "陈西苑"}),
        ("secretary", {"张秀英", "王建国"}),
        ("worker_a", {"张秀英"}),
        ("worker_b", {"王建国"}),
        ("handler", set()),
    ],
)
def test_resident_list_shows_only_the_personas_residents(
    world, people, client_for, persona, expected
):
    response = client_for(getattr(world, persona)).get(LIST)
    assert response.status_code == 200
    assert names_in(response) == expected
    html = response.content.decode()
    for name in {"张秀英", "王建国", "陈西苑"} - expected:
        assert name not in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("officer", 200),
        ("secretary", 200),
        ("worker_a", 404),
        ("worker_b", 200),
        ("handler", 404),
    ],
)
def test_detail_of_a_grid_b_resident(world, people, client_for, persona, status):
    response = client_for(getattr(world, persona)).get(f"{LIST}{people['wang'].pk}/")
    assert response.status_code == status


def test_residents_never_open_the_registry_pages(world, people, client_for):
    # The resident persona holds grid A through their own role; the registry stays closed.
    client = client_for(world.resident)
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{people['zhang'].pk}/").status_code == 403
    assert client.get(f"{LIST}new/").status_code == 403


def test_anonymous_users_are_sent_to_the_login(people, client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_resident_is_404(world, client_for):
    assert client_for(world.admin).get(f"{LIST}999999/").status_code == 404


# Search and filters ----------------------------------------------------------------------------


def test_search_by_exact_id_number_and_phone(world, people, client_for):
    client = client_for(world.secretary)
    response = client.post(LIST, {"q": ZHANG_ID})
    # Answered in place, not redirected: the identifier never becomes part of a URL.
    assert response.status_code == 200
    assert names_in(response) == {"张秀英"}
    assert "Exact match for the ID number 110105********" in response.content.decode()
    # A name search is redirected to a bookmarkable address.
    response = client.post(LIST, {"q": "建国", "tag": ""})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?q=%E5%BB%BA%E5%9B%BD"
    assert names_in(search(client, q=ZHANG_ID)) == {"张秀英"}
    assert names_in(search(client, q=ZHANG_ID.lower())) == {"张秀英"}
    assert names_in(search(client, q=WANG_PHONE)) == {"王建国"}
    assert names_in(search(client, q="139 0000 1111")) == {"王建国"}
    assert names_in(search(client, q="东湖路")) == {"张秀英"}
    assert names_in(search(client, q="建国")) == {"王建国"}
    # A prefix of an ID number or phone finds nothing: only exact values have a blind index.
    assert names_in(search(client, q=ZHANG_PHONE[:7])) == set()


def test_search_does_not_cross_the_scope(world, people, client_for):
    assert names_in(search(client_for(world.worker_a), q=WANG_ID)) == set()
    assert names_in(search(client_for(world.worker_a), q=WANG_PHONE)) == set()


def test_filters_by_area_tag_residence_type_and_moved_out(world, people, client_for):
    client = client_for(world.secretary)
    assert names_in(search(client, area=world.grid_b.pk)) == {"王建国"}
    assert names_in(search(client, tag="very_old")) == {"张秀英"}
    assert names_in(search(client, residence_type="floating")) == {"王建国"}
    Resident.objects.filter(pk=people["wang"].pk).update(moved_out_at=datetime.date(2025, 1, 1))
    assert names_in(client.get(LIST)) == {"张秀英"}
    assert names_in(search(client, moved_out="on")) == {"张秀英", "王建国"}


def test_area_filter_offers_only_visible_areas_and_ignores_others(world, people, client_for):
    response = search(client_for(world.worker_a), area=world.grid_b.pk, tag="very_old")
    assert response.status_code == 200
    offered = {value for value, _label in response.context["form"].fields["area"].widget.choices}
    assert offered == {"", world.grid_a.pk}
    # An area outside the scope is refused as a filter; the other filters still apply.
    assert names_in(response) == {"张秀英"}


def test_list_shows_age_sex_tags_and_masked_identifiers(world, people, client_for):
    html = client_for(world.worker_a).get(LIST).content.decode()
    today = timezone.localdate()
    age = today.year - 1950 + (1 if (today.month, today.day) >= (12, 31) else 0)
    assert f">{age}<" in html
    assert "Female" in html
    assert "Elderly living alone" in html and "Aged 80 or more" in html
    assert "110105********" + ZHANG_ID[-4:] in html
    assert "138****5678" in html


# Personal data never in full -------------------------------------------------------------------


@pytest.fixture
def revealable():
    # What RegistryConfig.ready() is to declare (the lead adds it there); idempotent.
    register_revealable(Resident, "id_number", "phone")
    register_revealable(EmergencyContact, "phone")


@pytest.fixture
def instructor(world):
    """A grid instructor of community 1: sees its residents, may neither write nor reveal."""
    user = UserFactory(username="instructor", full_name="网格指导员")
    assign(user, Role.GRID_INSTRUCTOR, world.community1)
    return user


def test_pages_never_contain_a_full_id_number_or_phone(
    world, people, client_for, revealable, instructor
):
    zhang = people["zhang"]
    # The secretary holds the reveal permission through the role; the instructor does not.
    assert world.secretary.has_perm("core.reveal_personal_data")
    assert not instructor.has_perm("core.reveal_personal_data")
    for user in (world.secretary, instructor):
        client = client_for(user)
        searches = [client.post(LIST, {"q": ZHANG_ID}), client.post(LIST, {"q": ZHANG_PHONE})]
        for response in searches:
            assert names_in(response) == {"张秀英"}
            html = response.content.decode()
            assert ZHANG_ID not in html and ZHANG_PHONE not in html
        urls = [LIST, f"{LIST}{zhang.pk}/"]
        if user is world.secretary:  # the instructor may not write: the forms are 403
            urls += [f"{LIST}{zhang.pk}/edit/", f"{LIST}{zhang.pk}/contacts/new/"]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            for secret in (ZHANG_ID, ZHANG_PHONE, "13600002222"):
                assert secret not in html, (user.username, url, secret)
    detail = client_for(world.secretary).get(f"{LIST}{zhang.pk}/").content.decode()
    assert "reveal-button" in detail  # the permitted user is offered the logged reveal
    assert "reveal-button" not in client_for(instructor).get(f"{LIST}{zhang.pk}/").content.decode()


def test_a_refused_form_does_not_echo_the_typed_identifiers(world, client_for):
    response = client_for(world.worker_a).post(
        f"{LIST}new/",
        {
            "name": "",
            "area": world.grid_a.pk,
            "document_type": "id_card",
            "id_number": ZHANG_ID,
            "phone": ZHANG_PHONE,
            "residence_type": "registered",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert ZHANG_ID not in html and ZHANG_PHONE not in html


# Create, edit, move out ------------------------------------------------------------------------


def resident_post(area, **overrides):
    data = {
        "name": "李秀兰",
        "area": area.pk,
        "document_type": "id_card",
        "id_number": ZHANG_ID,
        "phone": "138 1234 5678",
        "residence_type": "registered",
        "address": "东湖路2号",
        "tags": ["elderly_alone", "disabled"],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_worker_registers_a_resident_through_the_form(world, client_for):
    response = client_for(world.worker_a).post(f"{LIST}new/", resident_post(world.grid_a))
    resident = Resident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{resident.pk}/"
    assert resident.area == world.grid_a
    assert resident.id_number == ZHANG_ID
    assert resident.phone == ZHANG_PHONE
    assert resident.sex == "female" and resident.birth_date == datetime.date(1949, 12, 31)
    assert set(resident.tags.values_list("tag", flat=True)) == {"elderly_alone", "disabled"}


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        (
            {"id_number": ZHANG_ID[:-1] + ("0" if ZHANG_ID[-1] != "0" else "1")},
            "id_number",
            "check character",
        ),
        ({"id_number": "12345"}, "id_number", "17 digits"),
        ({"phone": "12345"}, "phone", "11-digit mobile number"),
        ({"name": ""}, "name", "This field is required"),
        ({"tags": ["nonsense"]}, "tags", "nonsense"),
    ],
)
def test_bad_input_is_shown_with_its_reason_and_nothing_is_saved(
    world, client_for, overrides, field, reason
):
    response = client_for(world.worker_a).post(
        f"{LIST}new/", resident_post(world.grid_a, **overrides)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert reason in " ".join(form.errors[field])
    assert reason in response.content.decode()
    assert not Resident.objects.exists()
    assert not ResidentTag.objects.exists()


def test_a_second_resident_with_the_same_id_number_is_refused(world, people, client_for):
    response = client_for(world.worker_a).post(f"{LIST}new/", resident_post(world.grid_a))
    assert response.status_code == 200
    assert "A resident with this ID number is registered." in response.content.decode()
    assert Resident.objects.count() == 3


def test_worker_of_grid_a_cannot_register_in_grid_b(world, client_for):
    response = client_for(world.worker_a).post(
        f"{LIST}new/", resident_post(world.grid_b, id_number="", phone="")
    )
    assert response.status_code == 200
    assert "area" in response.context["form"].errors
    assert not Resident.objects.exists()


def test_worker_of_grid_a_cannot_edit_or_move_out_a_grid_b_resident(world, people, client_for):
    wang = people["wang"]
    client = client_for(world.worker_a)
    assert client.get(f"{LIST}{wang.pk}/edit/").status_code == 404
    response = client.post(
        f"{LIST}{wang.pk}/edit/", resident_post(world.grid_a, id_number="", phone="")
    )
    assert response.status_code == 404
    assert (
        client.post(f"{LIST}{wang.pk}/move-out/", {"moved_out_at": "2025-01-01"}).status_code == 404
    )
    response = client.post(
        f"{LIST}{wang.pk}/contacts/new/", {"name": "某人", "phone": "13700003333"}
    )
    assert response.status_code == 404
    wang.refresh_from_db()
    assert (wang.name, wang.area, wang.moved_out_at) == ("王建国", world.grid_b, None)
    assert not wang.emergency_contacts.exists()


def test_a_visible_resident_is_403_for_a_user_who_may_not_write(
    world, people, client_for, instructor
):
    # A grid instructor sees community 1 but is not a registry writer.
    zhang = people["zhang"]
    client = client_for(instructor)
    assert client.get(f"{LIST}{zhang.pk}/").status_code == 200
    assert client.get(f"{LIST}{zhang.pk}/edit/").status_code == 403
    response = client.post(
        f"{LIST}{zhang.pk}/edit/", resident_post(world.grid_a, name="改名", id_number="", phone="")
    )
    assert response.status_code == 403
    assert (
        client.post(f"{LIST}{zhang.pk}/move-out/", {"moved_out_at": "2025-01-01"}).status_code
        == 403
    )
    contact = zhang.emergency_contacts.get()
    assert client.post(f"{LIST}{zhang.pk}/contacts/{contact.pk}/remove/").status_code == 403
    assert client.get(f"{LIST}new/").status_code == 403
    zhang.refresh_from_db()
    assert (zhang.name, zhang.moved_out_at) == ("张秀英", None)
    assert zhang.emergency_contacts.exists()


def test_edit_keeps_identifiers_left_empty_and_removes_them_on_request(world, people, client_for):
    zhang = people["zhang"]
    client = client_for(world.worker_a)
    response = client.post(
        f"{LIST}{zhang.pk}/edit/",
        resident_post(world.grid_a, name="张秀英", id_number="", phone="", tags=["elderly_alone"]),
    )
    assert response.status_code == 302
    zhang = Resident.objects.get(pk=zhang.pk)
    assert (zhang.id_number, zhang.phone) == (ZHANG_ID, ZHANG_PHONE)
    assert list(zhang.tags.values_list("tag", flat=True)) == ["elderly_alone"]
    response = client.post(
        f"{LIST}{zhang.pk}/edit/",
        resident_post(world.grid_a, name="张秀英", id_number="", phone="", clear_phone="on"),
    )
    assert response.status_code == 302
    zhang = Resident.objects.get(pk=zhang.pk)
    assert (zhang.id_number, zhang.phone) == (ZHANG_ID, "")


def test_history_shows_an_update_made_through_the_form_with_the_actor(world, people, client_for):
    zhang = people["zhang"]
    client = client_for(world.worker_a)
    response = client.post(
        f"{LIST}{zhang.pk}/edit/",
        resident_post(
            world.grid_a,
            name="张秀英",
            id_number="",
            phone="13700004444",
            address="东湖路9号",
            tags=["elderly_alone", "veteran"],
        ),
    )
    assert response.status_code == 302
    response = client.get(f"{LIST}{zhang.pk}/")
    history = response.context["history"]
    update = next(row for row in history if row["action"] == LogEntry.Action.UPDATE)
    assert update["actor"] == "网格员甲"
    changed = {change["label"]: change for change in update["fields"]}
    assert changed["current address"]["old"] == "东湖路1号"
    assert changed["current address"]["new"] == "东湖路9号"
    assert changed["phone"].get("masked") is True  # encrypted: "changed" only
    subjects = [row["subject"] for row in history]
    assert "Tag added: Veteran" in subjects
    assert "Tag removed: Aged 80 or more" in subjects
    assert "Emergency contact added: 张伟 (儿子)" in subjects
    html = response.content.decode()
    assert "网格员甲" in html and "东湖路9号" in html and "13700004444" not in html
    # Times are shown in Asia/Shanghai.
    entry = LogEntry.objects.get_for_object(zhang).filter(action=LogEntry.Action.UPDATE).first()
    local = entry.timestamp.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%Y-%m-%d %H:%M") in html


def test_history_of_another_resident_does_not_leak_in(world, people, client_for):
    history = client_for(world.secretary).get(f"{LIST}{people['wang'].pk}/").context["history"]
    assert all("张" not in row["subject"] for row in history)
    assert not any(row["subject"].startswith("Emergency contact") for row in history)


def test_move_out(world, people, client_for):
    zhang = people["zhang"]
    client = client_for(world.worker_a)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(f"{LIST}{zhang.pk}/move-out/", {"moved_out_at": future})
    assert response.status_code == 200
    assert "The date is in the future." in response.content.decode()
    zhang.refresh_from_db()
    assert zhang.moved_out_at is None
    response = client.post(f"{LIST}{zhang.pk}/move-out/", {"moved_out_at": "2025-03-01"})
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.moved_out_at == datetime.date(2025, 3, 1)
    assert names_in(client.get(LIST)) == set()


# Emergency contacts ----------------------------------------------------------------------------


def test_contacts_are_added_with_a_masked_phone_and_removed(world, people, client_for):
    zhang = people["zhang"]
    client = client_for(world.worker_a)
    response = client.post(
        f"{LIST}{zhang.pk}/contacts/new/", {"name": "李娜", "relation": "女儿", "phone": "12345"}
    )
    assert response.status_code == 200
    assert "11-digit mobile number" in response.content.decode()
    assert zhang.emergency_contacts.count() == 1
    response = client.post(
        f"{LIST}{zhang.pk}/contacts/new/",
        {"name": "李娜", "relation": "女儿", "phone": "137 0000 5555"},
    )
    assert response.status_code == 302
    contact = zhang.emergency_contacts.get(name="李娜")
    assert contact.phone == "13700005555"
    html = client.get(f"{LIST}{zhang.pk}/").content.decode()
    assert "137****5555" in html and "13700005555" not in html
    response = client.post(f"{LIST}{zhang.pk}/contacts/{contact.pk}/remove/")
    assert response.status_code == 302
    assert not EmergencyContact.objects.filter(pk=contact.pk).exists()
    history = client.get(f"{LIST}{zhang.pk}/").context["history"]
    assert "Emergency contact removed: 李娜 (女儿)" in [row["subject"] for row in history]


def test_removing_a_contact_through_another_resident_is_404(world, people, client_for):
    contact = people["zhang"].emergency_contacts.get()
    response = client_for(world.secretary).post(
        f"{LIST}{people['wang'].pk}/contacts/{contact.pk}/remove/"
    )
    assert response.status_code == 404
    assert EmergencyContact.objects.filter(pk=contact.pk).exists()


def test_resident_can_be_placed_in_a_house_of_their_area(world, people, client_for):
    house = House.objects.create(area=world.grid_a, address="东湖路1号101", use="owner_occupied")
    other = House.objects.create(area=world.grid_b, address="东湖路2号", use="rented")
    zhang = people["zhang"]
    client = client_for(world.secretary)
    post = resident_post(world.grid_a, name="张秀英", id_number="", phone="", house=other.pk)
    response = client.post(f"{LIST}{zhang.pk}/edit/", post)
    assert response.status_code == 200
    assert "house" in response.context["form"].errors
    post["house"] = house.pk
    assert client.post(f"{LIST}{zhang.pk}/edit/", post).status_code == 302
    zhang.refresh_from_db()
    assert zhang.house == house


# Query counts ----------------------------------------------------------------------------------


def _list_queries(client) -> int:
    client.get(LIST)  # the first request after login also writes the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_the_page(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.worker_a)
    for number in range(3):
        make(world, f"居民{number}", world.grid_a, phone=f"1380000{number:04d}", tags=["veteran"])
    few = _list_queries(client)
    for number in range(3, 60):
        make(
            world,
            f"居民{number}",
            world.grid_a,
            phone=f"1380000{number:04d}",
            tags=["veteran", "disabled"],
        )
    assert _list_queries(client) == few
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 50


def test_detail_query_count_is_pinned(world, people, client_for, django_assert_max_num_queries):
    client = client_for(world.worker_a)
    client.get(LIST)
    with django_assert_max_num_queries(16):
        assert client.get(f"{LIST}{people['zhang'].pk}/").status_code == 200


def test_a_reveal_appears_in_the_history(world, people, client_for, revealable):
    zhang = people["zhang"]
    client = client_for(world.secretary)
    response = client.post(
        "/personal-data/reveal/",
        {"model": "registry.resident", "pk": zhang.pk, "field": "id_number"},
    )
    assert response.status_code == 200
    history = client.get(f"{LIST}{zhang.pk}/").context["history"]
    reveal = history[0]
    assert reveal["action"] == LogEntry.Action.ACCESS
    assert reveal["actor"] == "社区书记"
    assert reveal["subject"] == "Revealed in full: ID number"


def test_a_resident_registered_from_a_house_page_lives_there(world, client_for):
    house = House.objects.create(area=world.grid_a, address="东湖路1号101", use="owner_occupied")
    client = client_for(world.worker_a)
    response = client.get(f"{LIST}new/?house={house.pk}")
    assert response.context["form"].initial["house"] == house.pk
    post = resident_post(world.grid_a, id_number="", phone="", house=house.pk)
    post["from_house"] = house.pk
    assert client.post(f"{LIST}new/", post).status_code == 302
    assert Resident.objects.get().house == house
    # A house outside the scope cannot be the starting point.
    other = House.objects.create(area=world.grid_b, address="东湖路2号", use="rented")
    assert client.get(f"{LIST}new/?house={other.pk}").status_code == 404
