"""The scoping function: each persona sees its own subtree and nothing else, by list or by id."""

from __future__ import annotations

import pytest

from gridgov.areas.models import Area
from gridgov.core.models import Department, StoredFile
from gridgov.core.scoping import scope_of, visible_to

pytestmark = pytest.mark.django_db


def codes(user) -> set[str]:
    return set(Area.objects.visible_to(user).values_list("code", flat=True))


def test_grid_worker_sees_only_their_grid(world):
    assert codes(world.worker_a) == {world.grid_a.code}
    assert codes(world.worker_b) == {world.grid_b.code}


def test_community_secretary_sees_their_community_subtree(world):
    assert codes(world.secretary) == {
        world.community1.code,
        world.grid_a.code,
        world.grid_b.code,
    }


def test_street_officer_sees_the_street(world):
    assert codes(world.officer) == {
        world.street.code,
        world.community1.code,
        world.community2.code,
        world.grid_a.code,
        world.grid_b.code,
        world.grid_c.code,
    }


def test_admin_sees_everything(world):
    assert codes(world.admin) == set(Area.objects.values_list("code", flat=True))


def test_department_handler_sees_their_department_not_areas(world):
    assert codes(world.handler) == set()
    assert list(Department.objects.visible_to(world.handler)) == [world.department]
    assert list(Department.objects.visible_to(world.worker_a)) == []


def test_anonymous_and_unassigned_users_see_nothing(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    lonely = django_user_model.objects.create_user("lonely", password="x")
    assert not visible_to(Area.objects.all(), AnonymousUser()).exists()
    assert not Area.objects.visible_to(lonely).exists()
    assert scope_of(lonely).empty


def test_inactive_assignment_grants_nothing(world):
    world.worker_a.assignments.update(active=False)
    from gridgov.core.scoping import forget_scope

    forget_scope(world.worker_a)
    assert codes(world.worker_a) == set()


def test_owner_sees_own_file_outside_areas(world):
    own = StoredFile.objects.create(
        original_name="a.jpg",
        content_type="image/jpeg",
        size=1,
        sha256="0" * 64,
        uploaded_by=world.handler,
    )
    assert list(StoredFile.objects.visible_to(world.handler)) == [own]
    assert list(StoredFile.objects.visible_to(world.worker_a)) == []


@pytest.mark.parametrize("persona", ["worker_a", "worker_b", "secretary"])
def test_area_detail_of_another_area_is_404_not_403(world, login, persona):
    user = getattr(world, persona)
    client = login(user)
    visible = set(Area.objects.visible_to(user).values_list("pk", flat=True))
    for area in Area.objects.all():
        response = client.get(f"/areas/{area.pk}/")
        assert response.status_code == (200 if area.pk in visible else 404), area.code
        if area.pk not in visible:
            assert area.name not in response.content.decode()


def test_area_list_shows_only_visible_areas(world, login):
    body = login(world.worker_a).get("/areas/").content.decode()
    assert world.grid_a.name in body
    assert world.grid_b.name not in body
    assert world.grid_c.name not in body


def test_a_resident_sees_only_what_they_own_not_their_grid(world):
    assert codes(world.resident) == set()
    own = StoredFile.objects.create(
        original_name="photo.jpg",
        content_type="image/jpeg",
        size=1,
        sha256="0" * 64,
        uploaded_by=world.resident,
        area=world.grid_a,
    )
    StoredFile.objects.create(
        original_name="other.jpg",
        content_type="image/jpeg",
        size=1,
        sha256="1" * 64,
        area=world.grid_a,
    )
    assert list(StoredFile.objects.visible_to(world.resident)) == [own]


def test_reveal_permission_comes_with_staff_roles_only(world):
    assert world.worker_a.has_perm("core.reveal_personal_data")
    assert world.secretary.has_perm("core.reveal_personal_data")
    assert not world.handler.has_perm("core.reveal_personal_data")
    assert not world.resident.has_perm("core.reveal_personal_data")
    assert world.admin.has_perm("auditlog.view_logentry")
    assert not world.officer.has_perm("auditlog.view_logentry")
