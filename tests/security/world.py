"""The fixture world of the permission matrix: one object of every kind in grid A and in grid C.

Grid A lies in community 1 (the secretary's), grid C in community 2; both in the officer's street.
So an object "A" is inside the grid worker's and the community secretary's scope, an object "C"
outside both, and both inside the street officer's and the administrator's. The department handler
is summoned to case C only. The phone resident reported case A (public, with a photo); case C was
reported by somebody else.
"""

from __future__ import annotations

import datetime
import io
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.api.tokens import token_create
from gridgov.areas.locator import locator
from gridgov.cases.models import CaseAttachment, Category
from gridgov.cases.services import case_report
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.cases.workflow import transition
from gridgov.core.files import stored_file_create
from gridgov.core.models import Role
from gridgov.demo.geometry import Box
from gridgov.hotline.models import HotlineImport
from gridgov.notifications.services import notify_user
from gridgov.open311.keys import key_create
from gridgov.open311.models import ClientRequest
from gridgov.patrol.services import patrol_start
from gridgov.registry.courtyards.services import courtyard_clean, courtyard_create
from gridgov.registry.models import House, Landlord, RentalRegistration
from gridgov.registry.models_imports import ImportJob
from gridgov.registry.services import resident_clean, resident_create
from gridgov.registry.services_contacts import emergency_contact_add
from gridgov.resident.signin import resident_for_phone
from gridgov.sos.models import DutyShift
from gridgov.sos.services import device_create, sos_press
from tests.factories import UserFactory, World, assign, build_world
from tests.registry.test_courtyards import all_passed

RESIDENT_PHONE = "13912345678"
TARGETS = ("A", "C")


@dataclass
class MatrixWorld:
    """The personas and, per target ("A" or "C"), one object of each kind."""

    base: World
    phone_resident: Any
    worker_c: Any
    api_key: str  # the API token of grid worker A
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)

    def of(self, target: str, kind: str) -> Any:
        return self.objects[target][kind]


def _png(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _xlsx(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"PK\x03\x04 not really a workbook", content_type="text/plain")


def build_matrix_world() -> MatrixWorld:
    base = build_world()
    load_default_taxonomy(Category)
    # Polygons, so that the locator and the map pages have something to draw.
    base.street.polygon = Box(119.99, 29.99, 120.03, 30.03).geojson()
    base.community1.polygon = Box(120.0, 30.0, 120.02, 30.01).geojson()
    base.community2.polygon = Box(120.0, 30.01, 120.02, 30.02).geojson()
    base.grid_a.polygon = Box(120.0, 30.0, 120.01, 30.01).geojson()
    base.grid_b.polygon = Box(120.01, 30.0, 120.02, 30.01).geojson()
    base.grid_c.polygon = Box(120.0, 30.01, 120.02, 30.02).geojson()
    for area in (base.street, base.community1, base.community2, base.grid_a, base.grid_b):
        area.save()
    base.grid_c.save()
    locator.invalidate()

    phone_resident, _created = resident_for_phone(RESIDENT_PHONE)
    worker_c = UserFactory(username="worker_c", full_name="网格员丙")
    assign(worker_c, Role.GRID_WORKER, base.grid_c)
    _token, api_key = token_create(user=base.worker_a, name="matrix")
    open311 = key_create(name="matrix-client")
    hallway = Category.objects.get(code="0101")

    world = MatrixWorld(base, phone_resident, worker_c, api_key)
    places = {
        "A": (base.grid_a, base.community1, base.worker_a),
        "C": (base.grid_c, base.community2, worker_c),
    }
    reporters = {"A": phone_resident, "C": base.resident}
    for target, (grid, community, worker) in places.items():
        admin = base.admin
        objects: dict[str, Any] = {"grid": grid, "community": community, "worker": worker}
        photo = stored_file_create(upload=_png(f"photo-{target}.png"), area=grid, actor=admin)
        case = case_report(
            actor=reporters[target],
            channel="resident",
            category=hallway,
            title=f"楼道堆放杂物 {target}",
            area=grid,
            lon=120.005,
            lat=30.005 if target == "A" else 30.015,
            callback_phone=RESIDENT_PHONE,
            photos=[photo],
            public=target == "A",  # only case A is on the public list (and in Open311)
        ).case
        case = transition(case=case, action="accept", actor=base.officer)
        if target == "A":
            case = transition(case=case, action="dispatch", actor=base.officer, area=grid)
        else:  # the department is summoned to case C only
            case = transition(
                case=case, action="dispatch", actor=base.officer, department=base.department
            )
        objects["case"] = case
        objects["attachment"] = CaseAttachment.objects.get(case=case)
        objects["file"] = photo
        resident = resident_create(
            actor=admin,
            data=resident_clean(
                name=f"居民{target}", area=grid, phone="13800001111", address=f"住址{target}栋"
            ),
        )
        objects["resident"] = resident
        objects["contact"] = emergency_contact_add(
            actor=admin, resident=resident, name="家属", relation="子女", phone="13800002222"
        )
        house = House.objects.create(area=grid, address=f"东湖路{target}号", use="rented")
        objects["house"] = house
        landlord = Landlord.objects.create(area=grid, name=f"房东{target}")
        objects["landlord"] = landlord
        courtyard = courtyard_create(
            actor=admin,
            data=courtyard_clean(
                area=grid,
                code=f"C-{target}-001",
                name=f"院落{target}",
                address="东湖路3巷12号",
                rooms=10,
                landlord=landlord,
            ),
        )
        objects["courtyard"] = courtyard
        from gridgov.registry.courtyards.services import inspection_record

        inspection = inspection_record(
            actor=admin,
            courtyard=courtyard,
            inspected_on=datetime.date.today(),  # noqa: DTZ011 (a date, as the form gives it)
            results=all_passed(gas="燃气管老化"),
        )
        objects["item"] = inspection.items.get(item="gas")
        objects["rental"] = RentalRegistration.objects.create(
            area=grid,
            resident=resident,
            house=house,
            courtyard=courtyard,
            start_date=datetime.date(2026, 1, 1),
        )

        def sheet(name: str, worker: Any = worker) -> Any:
            return stored_file_create(upload=_xlsx(name), area=None, actor=worker)

        objects["import"] = ImportJob.objects.create(
            created_by=worker,
            kind="residents",
            upload=sheet(f"import-{target}.xlsx"),
            result=sheet(f"result-{target}.xlsx"),
        )
        objects["hotline"] = HotlineImport.objects.create(
            created_by=worker,
            file_name="12345.xlsx",
            mode="check",
            result=sheet(f"hotline-{target}.xlsx"),
        )
        objects["patrol"], _ = patrol_start(worker=worker, area=grid)
        objects["notification"] = notify_user(
            recipient=worker, kind="new_assignment", title="新案件", body="请签收", link="/w/"
        )
        device, _token = device_create(resident=resident, label=f"一键通{target}", actor=admin)
        objects["device"] = device
        objects["press"] = sos_press(device=device).press
        objects["shift"] = DutyShift.objects.create(
            area=grid,
            user=worker,
            start_time=datetime.time(8),
            end_time=datetime.time(18),
            created_by=admin,
        )
        objects["client_request"] = ClientRequest.objects.create(
            case=case, api_key=open311.api_key, token=secrets.token_urlsafe(24)
        )
        world.objects[target] = objects
    return world
