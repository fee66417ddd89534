"""Factories and the personas every test speaks of (Zulip's Hamlet, healthchecks' Alice and Bob).

The little world: one street with two communities; community 1 has grids A and B, community 2 has
grid C. Worker A works grid A, worker B grid B, the secretary runs community 1, the officer the
street, the handler a department of the street, and the resident lives in grid A.
"""

from __future__ import annotations

from dataclasses import dataclass

import factory

from gridgov.areas.models import Area, AreaLevel
from gridgov.core.models import Department, DepartmentKind, Role, RoleAssignment, User

PASSWORD = "Test#Pass2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    level = AreaLevel.GRID
    name = factory.Sequence(lambda n: f"网格{n}")


def assign(
    user: User, role: str, area: Area | None = None, department: Department | None = None
) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, role=role, area=area, department=department)


@dataclass
class World:
    district: Area
    street: Area
    community1: Area
    community2: Area
    grid_a: Area
    grid_b: Area
    grid_c: Area
    department: Department
    admin: User
    officer: User
    secretary: User
    worker_a: User
    worker_b: User
    handler: User
    resident: User


def build_world() -> World:
    district = AreaFactory(level=AreaLevel.DISTRICT, code="110105", name="朝晖区")
    street = AreaFactory(level=AreaLevel.STREET, code="110105001", name="和平街道", parent=district)
    community1 = AreaFactory(
        level=AreaLevel.COMMUNITY, code="110105001001", name="东湖社区", parent=street
    )
    community2 = AreaFactory(
        level=AreaLevel.COMMUNITY, code="110105001002", name="西苑社区", parent=street
    )
    grid_a = AreaFactory(code="110105001001001", name="东湖第一网格", parent=community1)
    grid_b = AreaFactory(code="110105001001002", name="东湖第二网格", parent=community1)
    grid_c = AreaFactory(code="110105001002001", name="西苑第一网格", parent=community2)
    department = Department.objects.create(
        name="和平街道城管执法队", kind=DepartmentKind.URBAN_MANAGEMENT, area=street
    )
    admin = UserFactory(username="admin", full_name="管理员", is_staff=True, is_superuser=True)
    officer = UserFactory(username="officer", full_name="街道干部")
    secretary = UserFactory(username="secretary", full_name="社区书记")
    worker_a = UserFactory(username="worker_a", full_name="网格员甲")
    worker_b = UserFactory(username="worker_b", full_name="网格员乙")
    handler = UserFactory(username="handler", full_name="城管队员")
    resident = UserFactory(username="resident", full_name="居民")
    assign(admin, Role.ADMIN, district)
    assign(officer, Role.STREET_OFFICER, street)
    assign(secretary, Role.COMMUNITY_SECRETARY, community1)
    assign(worker_a, Role.GRID_WORKER, grid_a)
    assign(worker_b, Role.GRID_WORKER, grid_b)
    assign(handler, Role.DEPARTMENT_HANDLER, department=department)
    assign(resident, Role.RESIDENT, grid_a)
    return World(
        district,
        street,
        community1,
        community2,
        grid_a,
        grid_b,
        grid_c,
        department,
        admin,
        officer,
        secretary,
        worker_a,
        worker_b,
        handler,
        resident,
    )
