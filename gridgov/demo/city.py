"""The benchmark-size city: 35 streets, 228 communities, 1,916 grids (the count in seed 001),
7,918 staff and 1,000,000 residents, all fictional (city code 9903, region codes 99xxxx).

Built in bulk and in batches, each batch in its own transaction; re-running skips what exists.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.core.identifiers import id_number_check_character
from gridgov.core.models import Role, RoleAssignment, User
from gridgov.demo.geometry import Box
from gridgov.demo.names import person_name
from gridgov.registry.models import ResidenceType, Resident

CITY = ("9903", "青川市")
DISTRICTS = ("临湖区", "望江区", "云台区", "长宁区", "东岭区")
STREETS = 35
COMMUNITIES = 228
GRIDS = 1916
STAFF = 7918
RESIDENTS = 1_000_000
CITY_BOX = Box(west=118.60, south=31.90, east=119.00, north=32.20)
STREET_WORDS = "安和平兴华新东西南北文明光明长青丰泰宁康福顺达"
COMMUNITY_WORDS = "苑里园庭湾城坊"

Progress = Callable[[str], None]


def _spread(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def _street_name(rng: random.Random, index: int) -> str:
    return rng.choice(STREET_WORDS) + rng.choice(STREET_WORDS) + "街道"


def build_city_areas(rng: random.Random, progress: Progress) -> list[Area]:
    """Create the city's area tree with tiling polygons; returns the grids."""
    rows: list[Area] = [Area(level="city", code=CITY[0], name=CITY[1], polygon=CITY_BOX.geojson())]
    district_boxes = CITY_BOX.split_columns(len(DISTRICTS))
    streets_per_district = _spread(STREETS, len(DISTRICTS))
    communities_per_street = _spread(COMMUNITIES, STREETS)
    grids_per_community = _spread(GRIDS, COMMUNITIES)
    street_counter = community_counter = 0
    for d_index, (name, box, street_count) in enumerate(
        zip(DISTRICTS, district_boxes, streets_per_district, strict=True), start=1
    ):
        district_code = f"{CITY[0]}{d_index:02d}"
        rows.append(Area(level="district", code=district_code, name=name, polygon=box.geojson()))
        for s_index, street_box in enumerate(box.split(street_count), start=1):
            street_code = f"{district_code}{s_index:03d}"
            rows.append(
                Area(
                    level="street",
                    code=street_code,
                    name=f"{_street_name(rng, street_counter)}{street_counter + 1}",
                    polygon=street_box.geojson(),
                )
            )
            community_count = communities_per_street[street_counter]
            street_counter += 1
            for c_index, community_box in enumerate(street_box.split(community_count), start=1):
                community_code = f"{street_code}{c_index:03d}"
                rows.append(
                    Area(
                        level="community",
                        code=community_code,
                        name=f"{rng.choice(STREET_WORDS)}{rng.choice(COMMUNITY_WORDS)}社区{community_counter + 1}",
                        polygon=community_box.geojson(),
                    )
                )
                grid_count = grids_per_community[community_counter]
                community_counter += 1
                for g_index, grid_box in enumerate(community_box.split(grid_count), start=1):
                    rows.append(
                        Area(
                            level="grid",
                            code=f"{community_code}{g_index:03d}",
                            name=f"第{g_index}网格",
                            polygon=grid_box.geojson(),
                        )
                    )
    existing = set(Area.objects.filter(code__startswith=CITY[0]).values_list("code", flat=True))
    by_code: dict[str, Area] = {
        area.code: area for area in Area.objects.filter(code__startswith=CITY[0])
    }
    lengths = {"city": 4, "district": 6, "street": 9, "community": 12, "grid": 15}
    for level in ("city", "district", "street", "community", "grid"):
        new = [row for row in rows if row.level == level and row.code not in existing]
        for row in new:
            if level != "city":
                parent_code = row.code[: lengths[_parent_level(level)]]
                row.parent = by_code[parent_code]
        with transaction.atomic():
            Area.objects.bulk_create(new, batch_size=1000)
        for area in Area.objects.filter(code__startswith=CITY[0], level=level):
            by_code[area.code] = area
        progress(f"areas: {level} {sum(1 for r in rows if r.level == level)}")
    return sorted((a for a in by_code.values() if a.level == "grid"), key=lambda a: a.code)


def _parent_level(level: str) -> str:
    return {"district": "city", "street": "district", "community": "street", "grid": "community"}[
        level
    ]


def build_city_staff(grids: list[Area], progress: Progress) -> None:
    """7,918 staff: a worker and a leader per grid, secretaries, street officers, and more workers."""
    communities = sorted({grid.parent for grid in grids}, key=lambda a: a.code)
    streets = sorted({community.parent for community in communities}, key=lambda a: a.code)
    plan: list[tuple[str, str, Area]] = []
    plan += [(f"c-wg{i:05d}", Role.GRID_WORKER, grid) for i, grid in enumerate(grids)]
    plan += [(f"c-wgz{i:05d}", Role.GRID_LEADER, grid) for i, grid in enumerate(grids)]
    plan += [(f"c-sq{i:04d}", Role.COMMUNITY_SECRETARY, c) for i, c in enumerate(communities)]
    plan += [(f"c-jd{i:03d}", Role.STREET_OFFICER, s) for i, s in enumerate(streets)]
    extra = STAFF - len(plan)
    plan += [
        (f"c-wgp{i:05d}", Role.GRID_WORKER, grids[i % len(grids)]) for i in range(max(0, extra))
    ]
    existing = set(
        User.objects.filter(username__startswith="c-").values_list("username", flat=True)
    )
    password = make_password(settings.GRIDGOV_DEMO_PASSWORD)
    rng = random.Random(7)  # noqa: S311
    now = timezone.now()
    new_users = [
        User(
            username=username,
            full_name=person_name(rng),
            password=password,
            is_demo=True,
            password_changed_at=now,
        )
        for username, _role, _area in plan
        if username not in existing
    ]
    with transaction.atomic():
        User.objects.bulk_create(new_users, batch_size=2000)
        ids = dict(User.objects.filter(username__startswith="c-").values_list("username", "id"))
        assigned = set(
            RoleAssignment.objects.filter(user_id__in=ids.values()).values_list(
                "user_id", flat=True
            )
        )
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user_id=ids[username], role=role, area=area)
                for username, role, area in plan
                if ids[username] not in assigned
            ],
            batch_size=2000,
        )
    progress(f"staff: {len(plan)}")


def build_city_residents(
    grids: list[Area], progress: Progress, total: int = RESIDENTS, batch: int = 10_000
) -> None:
    """``total`` residents spread over the grids; ID numbers unique by construction."""
    already = Resident.objects.filter(area__code__startswith=CITY[0]).count()
    rng = random.Random(already)  # noqa: S311
    base = datetime.date(1940, 1, 1)
    started = time.perf_counter()
    for start in range(already, total, batch):
        rows = []
        for number in range(start, min(start + batch, total)):
            # Unique by construction: region from the number, birth day and sequence from it.
            region = f"99{3 + number % 5:02d}{number // 5 % 100:02d}"
            # 11 is coprime with 30,000, so distinct numbers // 500 give distinct days (82 years).
            day = base + datetime.timedelta(days=(number // 500) * 11 % 30_000)
            sex_digit = number % 10
            body = f"{region}{day:%Y%m%d}{(number // 10) % 50:02d}{sex_digit}"
            grid = grids[number % len(grids)]
            rows.append(
                Resident(
                    area_id=grid.pk,
                    name=person_name(rng),
                    id_number=body + id_number_check_character(body),
                    sex="male" if sex_digit % 2 else "female",
                    birth_date=day,
                    phone=f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
                    residence_type=ResidenceType.FLOATING
                    if number % 4 == 0
                    else ResidenceType.REGISTERED,
                    address=f"{grid.name}{number % 300 + 1}号",
                )
            )
        with transaction.atomic():
            Resident.objects.bulk_create(rows, batch_size=2000)
        done = min(start + batch, total)
        rate = (done - already) / max(time.perf_counter() - started, 1e-9)
        progress(f"residents: {done:,}/{total:,} ({rate:,.0f}/s)")
