"""Demo courtyards (院落) of the urban-village communities: 300 compounds with their landlords,
tenants (floating population, registered), inspections through the real services, and stars.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from gridgov.core.fields import lookup_index
from gridgov.demo.loader import DemoContext, demo_step
from gridgov.demo.names import person_name
from gridgov.demo.people import ORIGINS, fictional_id_number
from gridgov.registry.courtyards import checklist
from gridgov.registry.courtyards.services import (
    courtyard_rate,
    courtyard_refresh_tenants,
    inspection_item_rectify,
    inspection_record,
)
from gridgov.registry.models import (
    Courtyard,
    Landlord,
    RentalRegistration,
    ResidenceType,
    Resident,
)

COURTYARDS = 300
# The two communities with urban villages, where the rental compounds are.
COURTYARD_COMMUNITIES = ("990102001003", "990102001004")
VILLAGE_LANES = ("马家巷", "王家村", "李家庄", "后街", "新村路", "老槐巷")


def _point_in(micro_grid, rng: random.Random) -> tuple[float, float]:
    ring = micro_grid.polygon["coordinates"][0]
    west, south, east, north = ring[0][0], ring[0][1], ring[2][0], ring[2][1]
    return (
        round(rng.uniform(west + (east - west) * 0.1, east - (east - west) * 0.1), 7),
        round(rng.uniform(south + (north - south) * 0.1, north - (north - south) * 0.1), 7),
    )


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"


@demo_step("courtyards", order=50)
def load_courtyards(context: DemoContext) -> None:
    rng = random.Random(context.rng.random())  # noqa: S311
    count = max(6, int(COURTYARDS * context.scale))
    micro_grids = sorted(
        (
            area
            for area in context.areas.values()
            if area.level == "micro_grid" and area.code[:12] in COURTYARD_COMMUNITIES
        ),
        key=lambda a: a.code,
    )
    existing = set(Courtyard.objects.values_list("code", flat=True))
    today = timezone.localdate()
    workers = {
        assignment_area: user
        for user in context.users.values()
        for assignment_area in [
            a.area.code for a in user.assignments.all() if a.role == "grid_worker" and a.area
        ]
    }
    for index in range(count):
        micro = micro_grids[index % len(micro_grids)]
        code = f"{micro.code}{10001 + index // len(micro_grids):05d}"
        if code in existing:
            continue
        actor = workers[micro.code[:15]]
        sex = rng.choice(("male", "female"))
        birth = datetime.date(rng.randint(1950, 1985), rng.randint(1, 12), rng.randint(1, 28))
        landlord_id = fictional_id_number(rng, "990102", birth, sex)
        landlord = Landlord.objects.filter(
            id_number_index=lookup_index(Landlord, "id_number", landlord_id)
        ).first() or Landlord.objects.create(
            area=micro,
            name=person_name(rng, sex),
            id_number=landlord_id,
            phone=_phone(rng),
            address=f"{rng.choice(VILLAGE_LANES)}{index + 1}号",
        )
        lon, lat = _point_in(micro, rng)
        rooms = rng.randint(6, 30)
        courtyard = Courtyard.objects.create(
            area=micro,
            code=code,
            name=f"{landlord.name[0]}家院{index + 1}",
            address=f"{rng.choice(VILLAGE_LANES)}{index + 1}号院",
            lon=lon,
            lat=lat,
            landlord=landlord,
            rooms=rooms,
            contact_channel="和平街道网格服务热线 0571-8800 1234",
        )
        # Tenants: floating population from elsewhere, registered for part of their stay.
        tenants = []
        for room in range(rng.randint(2, max(3, rooms // 2))):
            t_sex = rng.choice(("male", "female"))
            t_birth = datetime.date(rng.randint(1970, 2004), rng.randint(1, 12), rng.randint(1, 28))
            tenants.append(
                Resident(
                    area=micro,
                    name=person_name(rng, t_sex),
                    id_number=fictional_id_number(rng, rng.choice(ORIGINS), t_birth, t_sex),
                    sex=t_sex,
                    birth_date=t_birth,
                    phone=_phone(rng),
                    residence_type=ResidenceType.FLOATING,
                    household_address="外省户籍",
                    address=f"{courtyard.address}{room + 1}室",
                )
            )
        known = set(
            Resident.objects.filter(
                id_number_index__in=[
                    lookup_index(Resident, "id_number", t.id_number) for t in tenants
                ]
            ).values_list("id_number_index", flat=True)
        )
        tenants = [
            t for t in tenants if lookup_index(Resident, "id_number", t.id_number) not in known
        ]
        Resident.objects.bulk_create(tenants)
        saved = Resident.objects.filter(
            id_number_index__in=[t.id_number_index for t in tenants]
        ).values_list("id", flat=True)
        RentalRegistration.objects.bulk_create(
            [
                RentalRegistration(
                    area=micro,
                    resident_id=resident_id,
                    courtyard=courtyard,
                    room=f"{room + 1}室",
                    start_date=today - datetime.timedelta(days=rng.randint(30, 700)),
                    end_date=None
                    if rng.random() < 0.85
                    else today - datetime.timedelta(days=rng.randint(1, 20)),
                    registered_by=actor,
                )
                for room, resident_id in enumerate(saved)
            ]
        )
        courtyard_refresh_tenants(courtyard=courtyard)
        # One or two inspections through the real service: deadlines, colour, next due date.
        first = today - datetime.timedelta(days=rng.randint(40, 200))
        for inspected_on in sorted({first, first + datetime.timedelta(days=rng.randint(10, 35))}):
            if inspected_on > today:
                continue
            results = {
                item.code: (rng.random() > (0.12 if item.severe else 0.2), "")
                for item in checklist.CHECKLIST
            }
            inspection = inspection_record(
                actor=actor, courtyard=courtyard, inspected_on=inspected_on, results=results
            )
        # Most landlords fix what the last inspection found in time; the rest keep the colour up.
        for item in inspection.items.filter(passed=False):
            if rng.random() < 0.8:
                fixed_on = max(inspection.inspected_on, min(item.rectify_by, today))
                inspection_item_rectify(actor=actor, item=item, on=fixed_on)
        if rng.random() < 0.6:
            courtyard_rate(
                actor=actor,
                courtyard=courtyard,
                stars=rng.choices((1, 2, 3, 4, 5), (1, 2, 4, 4, 2))[0],
                reason="星级院落创建评定",
            )
