"""Loads (or refreshes) the demo data set in bulk: upserts keyed on natural keys, never duplicates."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.core.models import Department, Role, RoleAssignment, User
from gridgov.demo import street
from gridgov.demo.names import person_name

SEED = 20261123


@dataclass
class DemoLogin:
    username: str
    role: str
    where: str


@dataclass
class DemoContext:
    """What one step hands the next: the areas by code, the staff by username, the logins to print."""

    rng: random.Random
    # 1.0 is the full demo; tests load a fraction of the people to stay quick.
    scale: float = 1.0
    areas: dict[str, Area] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    # Other lines to print after the logins (e.g. the SOS demo device's token).
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


DemoStep = Callable[[DemoContext], None]
# Every domain registers its steps with an order number; they run in that order.
STEPS: dict[str, tuple[int, DemoStep]] = {}


def demo_step(name: str, order: int) -> Callable[[DemoStep], DemoStep]:
    def register(function: DemoStep) -> DemoStep:
        STEPS[name] = (order, function)
        return function

    return register


@demo_step("areas", order=10)
def load_areas(context: DemoContext) -> None:
    specs = street.area_specs()
    # Parents before children: specs are ordered top-down, and each level is one bulk upsert.
    for level in ("city", "district", "street", "community", "grid"):
        rows = [
            Area(
                code=spec.code,
                name=spec.name,
                level=spec.level,
                parent=context.areas.get(spec.parent_code) if spec.parent_code else None,
                polygon=spec.polygon,
            )
            for spec in specs
            if spec.level == level
        ]
        Area.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent", "polygon", "updated_at"],
        )
        for area in Area.objects.filter(code__in=[row.code for row in rows]):
            context.areas[area.code] = area


def _upsert_users(context: DemoContext, people: list[tuple[str, str]]) -> None:
    """Create or refresh demo accounts (username, full name) with the one demo password hash."""
    password_hash = make_password(settings.GRIDGOV_DEMO_PASSWORD)
    now = timezone.now()
    rows = [
        User(
            username=username,
            full_name=full_name,
            password=password_hash,
            is_demo=True,
            must_change_password=False,
            password_changed_at=now,
            is_staff=username == "admin",
            is_superuser=username == "admin",
        )
        for username, full_name in people
    ]
    User.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["username"],
        update_fields=[
            "full_name",
            "password",
            "is_demo",
            "must_change_password",
            "password_changed_at",
            "is_staff",
            "is_superuser",
        ],
    )
    for user in User.objects.filter(username__in=[username for username, _ in people]):
        context.users[user.username] = user


@demo_step("staff", order=20)
def load_staff(context: DemoContext) -> None:
    rng = context.rng
    areas = context.areas
    communities = sorted(code for code, area in areas.items() if area.level == "community")
    grids = sorted(code for code, area in areas.items() if area.level == "grid")

    departments = {}
    for username, name, kind in street.DEPARTMENTS:
        department, _created = Department.objects.update_or_create(
            area=areas[street.STREET[0]], name=name, defaults={"kind": kind, "active": True}
        )
        departments[username] = department

    people: list[tuple[str, str]] = [("admin", "系统管理员"), ("jiedao", person_name(rng))]
    people += [(f"shequ{index:02d}", person_name(rng)) for index in range(1, len(communities) + 1)]
    people += [(f"wangge{index:03d}", person_name(rng)) for index in range(1, len(grids) + 1)]
    people += [(f"wgz{index:03d}", person_name(rng)) for index in range(1, len(grids) + 1)]
    people += [(username, person_name(rng)) for username, _name, _kind in street.DEPARTMENTS]
    people += [(f"jumin{index:02d}", person_name(rng)) for index in range(1, 4)]
    _upsert_users(context, people)
    users = context.users

    wanted: list[tuple[str, str, str | None, str | None, str]] = [
        ("admin", Role.ADMIN, street.DISTRICT[0], None, ""),
        ("jiedao", Role.STREET_OFFICER, street.STREET[0], None, ""),
    ]
    wanted += [
        (f"shequ{index:02d}", Role.COMMUNITY_SECRETARY, code, None, "")
        for index, code in enumerate(communities, start=1)
    ]
    wanted += [
        (f"wangge{index:03d}", Role.GRID_WORKER, code, None, "full_time")
        for index, code in enumerate(grids, start=1)
    ]
    wanted += [
        (f"wgz{index:03d}", Role.GRID_LEADER, code, None, "")
        for index, code in enumerate(grids, start=1)
    ]
    wanted += [
        (username, Role.DEPARTMENT_HANDLER, None, username, "")
        for username, _name, _kind in street.DEPARTMENTS
    ]
    wanted += [(f"jumin{index:02d}", Role.RESIDENT, grids[0], None, "") for index in range(1, 4)]

    existing = set(
        RoleAssignment.objects.filter(user__in=users.values()).values_list(
            "user__username", "role", "area__code", "department_id"
        )
    )
    new_rows = []
    for username, role, area_code, department_key, worker_kind in wanted:
        department = departments[department_key] if department_key else None
        key = (username, role, area_code, department.pk if department else None)
        if key in existing:
            continue
        new_rows.append(
            RoleAssignment(
                user=users[username],
                role=role,
                area=areas[area_code] if area_code else None,
                department=department,
                worker_kind=worker_kind,
            )
        )
    RoleAssignment.objects.bulk_create(new_rows)
    RoleAssignment.objects.filter(user__in=users.values()).update(active=True)

    first_grid = areas[grids[0]]
    context.logins += [
        DemoLogin("admin", str(Role.ADMIN.label), str(areas[street.DISTRICT[0]].name)),
        DemoLogin("jiedao", str(Role.STREET_OFFICER.label), street.STREET[1]),
        DemoLogin("shequ01", str(Role.COMMUNITY_SECRETARY.label), areas[communities[0]].name),
        DemoLogin("wgz001", str(Role.GRID_LEADER.label), first_grid.name),
        DemoLogin("wangge001", str(Role.GRID_WORKER.label), first_grid.name),
        DemoLogin("wangge002", str(Role.GRID_WORKER.label), areas[grids[1]].name),
        DemoLogin("chengguan", str(Role.DEPARTMENT_HANDLER.label), departments["chengguan"].name),
        DemoLogin("jumin01", str(Role.RESIDENT.label), first_grid.name),
    ]


def load_demo(*, seed: int = SEED, scale: float = 1.0) -> DemoContext:
    """Run every demo step in order; each step is one transaction, so a crash leaves whole steps."""
    from gridgov.demo import steps  # noqa: F401  (imports the later domains' steps)

    context = DemoContext(rng=random.Random(seed), scale=scale)  # noqa: S311  (fictional data)
    for name, (_order, step) in sorted(STEPS.items(), key=lambda item: item[1][0]):
        started = time.perf_counter()
        with transaction.atomic():
            step(context)
        context.timings[name] = time.perf_counter() - started
    return context
