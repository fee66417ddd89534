"""Demo people and houses: micro-grids and buildings in every grid, about 12,000 households and
20,000 residents with fictional names, ID numbers and phone numbers.

ID numbers all start with region codes 99xxxx, which GB/T 2260 does not assign, so no generated
number can be a real person's; they carry valid birth dates and GB 11643 check characters.
"""

from __future__ import annotations

import datetime
import random

from gridgov.areas.models import Area
from gridgov.core.identifiers import id_number_check_character
from gridgov.demo.geometry import Box
from gridgov.demo.loader import DemoContext, demo_step
from gridgov.demo.names import person_name
from gridgov.registry.models import (
    EmergencyContact,
    House,
    HouseUse,
    ResidenceType,
    Resident,
    ResidentTag,
    ResidentTagKind,
)

MICRO_GRIDS_PER_GRID = [4] * 30 + [3] * 10  # 150 micro-grids over 40 grids
BUILDINGS_PER_MICRO_GRID = (4, 6)
FLOORS = (5, 6, 6, 7)
TARGET_RESIDENTS = 20_000
REFERENCE_DAY = datetime.date(2026, 11, 1)
# Origins of the floating population (fictional 99xxxx region codes standing for provinces).
ORIGINS = ("991201", "992301", "993402", "994105", "995106", "996201", "997303")
STREET_NAMES = ("和平路", "东湖路", "西苑街", "南桥巷", "北城大道", "滨江路", "新华街", "工农路")


def _bulk(model: type, rows: list, size: int = 2000) -> None:
    model.objects.bulk_create(rows, batch_size=size)


@demo_step("micro_grids", order=30)
def load_micro_grids(context: DemoContext) -> None:
    """Micro-grids with polygons tiling each grid, and buildings (no polygons) inside them."""
    rng = random.Random(context.rng.random())  # noqa: S311
    grids = sorted(
        (area for area in context.areas.values() if area.level == "grid"), key=lambda a: a.code
    )
    existing = set(
        Area.objects.filter(level__in=["micro_grid", "building"]).values_list("code", flat=True)
    )
    micro_rows: list[Area] = []
    for grid, count in zip(grids, MICRO_GRIDS_PER_GRID, strict=True):
        ring = grid.polygon["coordinates"][0]
        box = Box(ring[0][0], ring[0][1], ring[2][0], ring[2][1])
        for index, micro_box in enumerate(box.split(count), start=1):
            code = f"{grid.code}{index:02d}"
            if code not in existing:
                micro_rows.append(
                    Area(
                        parent=grid,
                        level="micro_grid",
                        code=code,
                        name=f"{grid.name}{index}号微网格",
                        polygon=micro_box.geojson(),
                    )
                )
    _bulk(Area, micro_rows)
    micro_grids = list(
        Area.objects.filter(level="micro_grid", code__startswith="990102001").order_by("code")
    )
    building_rows: list[Area] = []
    building_number = 0
    for micro in micro_grids:
        for index in range(1, rng.randint(*BUILDINGS_PER_MICRO_GRID) + 1):
            building_number += 1
            code = f"{micro.code}{index:05d}"
            if code not in existing:
                building_rows.append(
                    Area(
                        parent=micro,
                        level="building",
                        code=code,
                        name=f"{building_number}号楼",
                    )
                )
    _bulk(Area, building_rows)
    for area in Area.objects.filter(
        level__in=["micro_grid", "building"], code__startswith="990102001"
    ):
        context.areas[area.code] = area


def fictional_id_number(rng: random.Random, region: str, birth: datetime.date, sex: str) -> str:
    sequence = rng.randint(0, 99) * 10 + (
        rng.choice((1, 3, 5, 7, 9)) if sex == "male" else rng.choice((0, 2, 4, 6, 8))
    )
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + id_number_check_character(body)


def _birth_date(rng: random.Random) -> datetime.date:
    # An ageing old town: a third over 60, few children registered.
    age = int(min(99, max(0, rng.choice((rng.gauss(38, 14), rng.gauss(70, 9), rng.gauss(10, 5))))))
    start = datetime.date(REFERENCE_DAY.year - age - 1, REFERENCE_DAY.month, 1)
    return start + datetime.timedelta(days=rng.randint(0, 364))


@demo_step("people", order=40)
def load_people(context: DemoContext) -> None:
    rng = random.Random(context.rng.random())  # noqa: S311
    buildings = sorted(
        (area for area in context.areas.values() if area.level == "building"), key=lambda a: a.code
    )
    if context.scale < 1.0:
        # Every other grid keeps some buildings, so a small demo still spreads over the street.
        step = max(1, round(1 / context.scale))
        buildings = buildings[::step]
    # Houses: each building has floors × 2–3 flats; the address names its road and number.
    houses: list[House] = []
    for number, building in enumerate(buildings, start=1):
        road = STREET_NAMES[number % len(STREET_NAMES)]
        floors = rng.choice(FLOORS)
        per_floor = rng.choice((2, 3))
        for floor in range(1, floors + 1):
            for door in range(1, per_floor + 1):
                room = f"{floor}{door:02d}"
                use = rng.choices(
                    (
                        HouseUse.OWNER_OCCUPIED,
                        HouseUse.RENTED,
                        HouseUse.VACANT,
                        HouseUse.COMMERCIAL,
                    ),
                    (70, 20, 8, 2),
                )[0]
                houses.append(
                    House(
                        area=building,
                        address=f"{road}{number}号{building.name}{room}室",
                        building=building.name,
                        unit="1单元",
                        room=room,
                        use=use,
                    )
                )
    existing_addresses = set(House.objects.values_list("area_id", "address"))
    _bulk(House, [h for h in houses if (h.area_id, h.address) not in existing_addresses])
    all_houses = list(
        House.objects.filter(area__code__startswith="990102001")
        .exclude(use=HouseUse.VACANT)
        .order_by("id")
    )

    existing_ids = set(
        Resident.objects.exclude(id_number_index="").values_list("id_number_index", flat=True)
    )
    residents: list[Resident] = []
    tags: list[tuple[int, str]] = []
    seen: set[str] = set()
    house_index = 0
    target = int(TARGET_RESIDENTS * context.scale)
    while len(residents) < target and house_index < len(all_houses) * 3:
        house = all_houses[house_index % len(all_houses)]
        house_index += 1
        for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
            floating = house.use == HouseUse.RENTED
            sex = rng.choice(("male", "female"))
            birth = _birth_date(rng)
            region = rng.choice(ORIGINS) if floating else "990102"
            number = fictional_id_number(rng, region, birth, sex)
            if number in seen:
                continue
            seen.add(number)
            resident = Resident(
                area_id=house.area_id,
                house=house,
                name=person_name(rng, sex),
                id_number=number,
                sex=sex,
                birth_date=birth,
                phone=f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
                residence_type=ResidenceType.FLOATING if floating else ResidenceType.REGISTERED,
                household_address=house.address if not floating else f"{region}户籍地",
                address=house.address,
            )
            age = (REFERENCE_DAY - birth).days // 365
            resident_tags = []
            if age >= 80:
                resident_tags.append(ResidentTagKind.VERY_OLD)
            if age >= 65 and rng.random() < 0.12:
                resident_tags.append(ResidentTagKind.ELDERLY_ALONE)
            elif age >= 65 and rng.random() < 0.15:
                resident_tags.append(ResidentTagKind.EMPTY_NEST)
            if rng.random() < 0.03:
                resident_tags.append(ResidentTagKind.DISABLED)
            if age >= 30 and rng.random() < 0.015:
                resident_tags.append(ResidentTagKind.VETERAN)
            if rng.random() < 0.02:
                resident_tags.append(ResidentTagKind.LOW_INCOME)
            if age >= 20 and rng.random() < 0.07:
                resident_tags.append(ResidentTagKind.PARTY_MEMBER)
            residents.append(resident)
            tags.append((len(residents) - 1, ",".join(resident_tags)))
            if len(residents) >= target:
                break

    # Blind indexes are computed on save; compare on them to insert only the missing people.
    from gridgov.core.fields import lookup_index

    fresh = [
        (resident, tag_text)
        for resident, (_, tag_text) in zip(residents, tags, strict=True)
        if lookup_index(Resident, "id_number", resident.id_number) not in existing_ids
    ]
    _bulk(Resident, [resident for resident, _ in fresh])
    saved = {
        index: pk
        for index, pk in Resident.objects.filter(
            id_number_index__in=[r.id_number_index for r, _ in fresh]
        ).values_list("id_number_index", "id")
    }
    tag_rows = []
    contact_rows = []
    for resident, tag_text in fresh:
        pk = saved[resident.id_number_index]
        for tag in filter(None, tag_text.split(",")):
            tag_rows.append(ResidentTag(resident_id=pk, tag=tag))
            if tag == ResidentTagKind.ELDERLY_ALONE:
                contact_rows.append(
                    EmergencyContact(
                        resident_id=pk,
                        name=person_name(rng),
                        relation=rng.choice(("子女", "女儿", "儿子", "侄子", "邻居")),
                        phone=f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
                    )
                )
    _bulk(ResidentTag, tag_rows)
    _bulk(EmergencyContact, contact_rows)
