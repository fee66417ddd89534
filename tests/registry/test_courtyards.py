"""Courtyard safety (星级院落 · 四色管控): the risk rule, inspections, rectification, overrides,
star ratings and tenant counts, through the service functions."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from freezegun import freeze_time

from gridgov.registry.courtyards import checklist
from gridgov.registry.courtyards.risk import (
    DEFAULT_RISK_RULE,
    RiskFigures,
    derive_color,
    interval_days,
    risk_rule,
)
from gridgov.registry.courtyards.services import (
    courtyard_clean,
    courtyard_create,
    courtyard_rate,
    courtyard_refresh_tenants,
    courtyard_risk_override,
    courtyard_risk_sweep,
    inspection_item_rectify,
    inspection_record,
)
from gridgov.registry.courtyards.tasks import courtyard_risk_sweep_task
from gridgov.registry.models import (
    Courtyard,
    Inspection,
    InspectionItem,
    Landlord,
    RentalRegistration,
    Resident,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
DAY = datetime.timedelta(days=1)


# --- builders (test_courtyard_pages.py uses them too) -----------------------------------------
LANDLORD_NAME = "王德福"
LANDLORD_ID = "110105196203150417"
LANDLORD_PHONE = "13912345678"


def make_landlord(area, name=LANDLORD_NAME, id_number=LANDLORD_ID, phone=LANDLORD_PHONE):
    return Landlord.objects.create(area=area, name=name, id_number=id_number, phone=phone)


def make_courtyard(world, area=None, code="C-A-001", name="东湖一号院", **fields) -> Courtyard:
    area = area or world.grid_a
    data = courtyard_clean(
        area=area,
        code=code,
        name=name,
        address=fields.pop("address", "东湖路3巷12号"),
        rooms=fields.pop("rooms", 10),
        **fields,
    )
    return courtyard_create(actor=world.admin, data=data)


def all_passed(**failed: str) -> dict[str, tuple[bool, str]]:
    """Results for the whole checklist: every item passed except those named (with a note)."""
    return {
        item.code: (item.code not in failed, failed.get(item.code, ""))
        for item in checklist.CHECKLIST
    }


def inspect(world, courtyard, on: datetime.date, actor=None, notes="", **failed: str):
    return inspection_record(
        actor=actor or world.admin,
        courtyard=courtyard,
        inspected_on=on,
        results=all_passed(**failed),
        notes=notes,
    )


def add_tenants(courtyard, count: int, start: datetime.date, prefix="租户") -> list[Resident]:
    tenants = []
    for index in range(count):
        resident = Resident.objects.create(area=courtyard.area, name=f"{prefix}{index}")
        RentalRegistration.objects.create(
            area=courtyard.area, resident=resident, courtyard=courtyard, start_date=start
        )
        tenants.append(resident)
    courtyard_refresh_tenants(courtyard=courtyard, on=start)
    return tenants


# --- the rule, as a table -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figures", "color"),
    [
        (RiskFigures(), "blue"),
        (RiskFigures(tenants=19, rooms=10), "blue"),
        (RiskFigures(tenants=8, rooms=4), "blue"),  # exactly 2 per room is not above 2
        (RiskFigures(failed=1), "yellow"),
        (RiskFigures(tenants=20, rooms=20), "yellow"),
        (RiskFigures(tenants=9, rooms=4), "yellow"),  # 2.25 per room
        (RiskFigures(tenants=9, rooms=0), "blue"),  # rooms unknown: no per-room condition
        (RiskFigures(failed=2), "yellow"),
        (RiskFigures(failed=3), "orange"),
        (RiskFigures(severe_failed=1, failed=1), "orange"),
        (RiskFigures(failed=1, overdue=1), "orange"),
        (RiskFigures(tenants=50, rooms=30), "orange"),
        (RiskFigures(severe_failed=2, failed=2), "red"),
        (RiskFigures(severe_failed=1, failed=1, severe_overdue=1, overdue=1), "red"),
        (RiskFigures(failed=9, tenants=200, rooms=1, severe_failed=2), "red"),
    ],
)
def test_risk_rule_table(figures, color):
    assert derive_color(figures, DEFAULT_RISK_RULE).color == color


def test_the_reasons_name_the_conditions_that_held():
    assessment = derive_color(RiskFigures(severe_failed=2, failed=2), DEFAULT_RISK_RULE)
    assert [(r.figure, r.value, r.threshold) for r in assessment.reasons] == [
        ("severe_failed", 2, 2)
    ]
    assert "≥ 2" in str(assessment.reasons[0])
    assert derive_color(RiskFigures(), DEFAULT_RISK_RULE).reasons == ()


def test_each_colour_carries_its_inspection_interval():
    assert [interval_days(color) for color in ("red", "orange", "yellow", "blue")] == [
        30,
        60,
        90,
        180,
    ]


def test_the_rule_is_configurable_colour_by_colour(settings):
    settings.GRIDGOV_COURTYARD_RISK_RULE = {
        "orange": {"tenants": 40, "overdue": None},
        "interval_days": {"red": 14},
    }
    rule = risk_rule()
    assert derive_color(RiskFigures(tenants=45, rooms=40), rule).color == "orange"
    assert derive_color(RiskFigures(failed=1, overdue=1), rule).color == "yellow"  # switched off
    assert derive_color(RiskFigures(severe_failed=1, failed=1), rule).color == "orange"  # kept
    assert interval_days("red", rule) == 14
    assert interval_days("blue", rule) == 180


@pytest.mark.parametrize(
    "configured",
    [
        {"red": {"fires": 1}},
        {"purple": {}},
        {"yellow": {"failed": "one"}},
        {"interval_days": {"blue": 0}},
    ],
)
def test_a_mistaken_rule_is_refused_with_its_name(settings, configured):
    settings.GRIDGOV_COURTYARD_RISK_RULE = configured
    with pytest.raises(ImproperlyConfigured):
        risk_rule()


def test_the_checklist_has_stable_codes_and_marks_severe_items():
    assert len(checklist.CODES) == len(set(checklist.CODES))
    assert checklist.SEVERE_CODES == {"ebike_charging", "structure"}
    assert {"fire_safety", "gas", "electrical_wiring", "escape_routes", "extinguishers"} <= set(
        checklist.CODES
    )
    assert all(item.rectify_days >= 1 for item in checklist.CHECKLIST)


# --- inspections ----------------------------------------------------------------------------------


@freeze_time(TODAY)
@pytest.mark.parametrize(
    ("failed", "color", "days"),
    [
        ({}, "blue", 180),
        ({"gas": "软管老化"}, "yellow", 90),
        ({"ebike_charging": "楼道充电"}, "orange", 60),
        ({"gas": "", "sanitation": "", "extinguishers": ""}, "orange", 60),
        ({"ebike_charging": "", "structure": "墙体开裂"}, "red", 30),
    ],
)
def test_an_inspection_sets_the_colour_and_the_next_due_date(world, failed, color, days):
    courtyard = make_courtyard(world)
    assert courtyard.next_inspection_due is None  # never inspected: due at once
    inspection = inspect(world, courtyard, TODAY, actor=world.worker_a, **failed)
    courtyard.refresh_from_db()
    assert courtyard.risk_color == color
    assert courtyard.last_inspected_on == TODAY
    assert courtyard.next_inspection_due == TODAY + days * DAY
    assert inspection.inspector == world.worker_a
    assert inspection.failed_count == len(failed)
    assert inspection.severe_failed_count == len(set(failed) & checklist.SEVERE_CODES)
    items = {item.item: item for item in inspection.items.all()}
    assert set(items) == set(checklist.CODES)
    for code, item in items.items():
        if code in failed:
            assert not item.passed
            assert item.note == failed[code]
            assert item.rectify_by == TODAY + checklist.item_for(code).rectify_days * DAY
        else:
            assert item.passed and item.rectify_by is None


@freeze_time(TODAY)
def test_every_item_must_be_answered_and_the_date_must_be_sane(world):
    courtyard = make_courtyard(world)
    results = all_passed()
    del results["gas"]
    results["smoking"] = (True, "")
    with pytest.raises(ValidationError) as raised:
        inspection_record(
            actor=world.worker_a,
            courtyard=courtyard,
            inspected_on=TODAY + DAY,
            results=results,
        )
    assert set(raised.value.message_dict) == {"gas", "results", "inspected_on"}
    assert not Inspection.objects.exists()
    courtyard.refresh_from_db()
    assert courtyard.last_inspected_on is None


@freeze_time(TODAY)
def test_an_inspection_cannot_be_dated_before_the_last_one(world):
    courtyard = make_courtyard(world)
    inspect(world, courtyard, TODAY)
    with pytest.raises(ValidationError) as raised:
        inspect(world, courtyard, TODAY - DAY)
    assert "inspected_on" in raised.value.message_dict
    assert Inspection.objects.count() == 1


@freeze_time(TODAY)
def test_a_worker_cannot_inspect_another_grids_courtyard(world):
    courtyard = make_courtyard(world)
    with pytest.raises(PermissionDenied):
        inspect(world, courtyard, TODAY, actor=world.worker_b)
    assert not Inspection.objects.exists()
    courtyard.refresh_from_db()
    assert courtyard.last_inspected_on is None and courtyard.next_inspection_due is None


def test_failing_again_keeps_the_earlier_deadline(world):
    courtyard = make_courtyard(world)
    with freeze_time(TODAY):
        first = inspect(world, courtyard, TODAY, sanitation="垃圾堆积")  # 14 days
    with freeze_time(TODAY + 10 * DAY):
        second = inspect(world, courtyard, TODAY + 10 * DAY, sanitation="仍未清理")
    assert first.items.get(item="sanitation").rectify_by == TODAY + 14 * DAY
    assert second.items.get(item="sanitation").rectify_by == TODAY + 14 * DAY


# --- rectification and the calendar ---------------------------------------------------------------


def test_rectifying_a_severe_item_lowers_the_colour(world):
    courtyard = make_courtyard(world)
    with freeze_time(TODAY):
        inspection = inspect(world, courtyard, TODAY, ebike_charging="室内充电")
        courtyard.refresh_from_db()
        assert courtyard.risk_color == "orange"
        item = inspection.items.get(item="ebike_charging")
        inspection_item_rectify(actor=world.worker_a, item=item, on=TODAY)
    item.refresh_from_db()
    courtyard.refresh_from_db()
    assert item.rectified_on == TODAY
    assert courtyard.risk_color == "blue"
    assert courtyard.next_inspection_due == TODAY + 180 * DAY


@freeze_time(TODAY)
def test_rectification_is_refused_when_it_makes_no_sense(world):
    courtyard = make_courtyard(world)
    first = inspect(world, courtyard, TODAY - 5 * DAY, gas="漏气")
    second = inspect(world, courtyard, TODAY - 2 * DAY, structure="裂缝")
    passed = second.items.get(item="gas")
    superseded = first.items.get(item="gas")
    structure = second.items.get(item="structure")
    for item, on in (
        (passed, TODAY),
        (superseded, TODAY),
        (structure, TODAY - 3 * DAY),  # before the inspection
        (structure, TODAY + DAY),  # in the future
    ):
        with pytest.raises(ValidationError) as raised:
            inspection_item_rectify(actor=world.worker_a, item=item, on=on)
        assert "on" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        inspection_item_rectify(actor=world.worker_b, item=structure, on=TODAY)
    assert not InspectionItem.objects.filter(rectified_on__isnull=False).exists()
    inspection_item_rectify(actor=world.worker_a, item=structure, on=TODAY)
    with pytest.raises(ValidationError):
        inspection_item_rectify(actor=world.worker_a, item=structure, on=TODAY)


def test_a_severe_item_past_its_deadline_turns_the_courtyard_red(world):
    courtyard = make_courtyard(world)
    other = make_courtyard(world, code="C-A-002", name="东湖二号院")
    with freeze_time(TODAY):
        inspect(world, courtyard, TODAY, ebike_charging="楼道充电")  # 1 day to rectify
        inspect(world, other, TODAY)
    with freeze_time(TODAY + DAY):
        assert courtyard_risk_sweep() == 0  # the deadline is today: not yet late
    with freeze_time(TODAY + 2 * DAY):
        assert courtyard_risk_sweep() == 1
        assert courtyard_risk_sweep() == 0  # idempotent
    courtyard.refresh_from_db()
    other.refresh_from_db()
    assert courtyard.risk_color == "red"
    assert courtyard.next_inspection_due == TODAY + 30 * DAY
    assert other.risk_color == "blue"


# --- overrides and ratings ------------------------------------------------------------------------


@freeze_time(TODAY)
def test_an_override_needs_a_reason_and_changes_nothing_without_one(world):
    courtyard = make_courtyard(world)
    inspect(world, courtyard, TODAY)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as raised:
            courtyard_risk_override(
                actor=world.worker_a, courtyard=courtyard, color="red", reason=reason
            )
        assert "reason" in raised.value.message_dict
    with pytest.raises(ValidationError):
        courtyard_risk_override(
            actor=world.worker_a, courtyard=courtyard, color="purple", reason="x"
        )
    with pytest.raises(PermissionDenied):
        courtyard_risk_override(
            actor=world.worker_b, courtyard=courtyard, color="red", reason="群众反映"
        )
    courtyard.refresh_from_db()
    assert courtyard.risk_override == "" and courtyard.risk_override_reason == ""
    assert courtyard.next_inspection_due == TODAY + 180 * DAY


@freeze_time(TODAY)
def test_an_override_sets_the_interval_is_audited_and_can_be_cleared(world):
    courtyard = make_courtyard(world)
    inspect(world, courtyard, TODAY)
    courtyard_risk_override(
        actor=world.worker_a, courtyard=courtyard, color="red", reason="消防部门通报,群租隐患"
    )
    courtyard.refresh_from_db()
    assert courtyard.risk_color == "blue"  # the derived colour is kept
    assert courtyard.effective_risk_color == "red"
    assert courtyard.risk_override_reason == "消防部门通报,群租隐患"
    assert courtyard.next_inspection_due == TODAY + 30 * DAY
    entry = LogEntry.objects.get_for_object(courtyard).order_by("-pk").first()
    assert entry.additional_data == {"action": "risk_override", "reason": "消防部门通报,群租隐患"}
    assert entry.changes_dict["risk_override"] == ["", "red"]

    # The rule still runs underneath; a new inspection does not drop the override.
    inspect(world, courtyard, TODAY, gas="")
    courtyard.refresh_from_db()
    assert (courtyard.risk_color, courtyard.effective_risk_color) == ("yellow", "red")

    courtyard_risk_override(actor=world.worker_a, courtyard=courtyard, color="", reason="已整改")
    courtyard.refresh_from_db()
    assert courtyard.risk_override == "" and courtyard.risk_override_reason == ""
    assert courtyard.effective_risk_color == "yellow"
    assert courtyard.next_inspection_due == TODAY + 90 * DAY
    entry = LogEntry.objects.get_for_object(courtyard).order_by("-pk").first()
    assert entry.additional_data == {"action": "risk_override_cleared", "reason": "已整改"}
    with pytest.raises(ValidationError):  # nothing left to clear
        courtyard_risk_override(actor=world.worker_a, courtyard=courtyard, color="", reason="")


def test_a_star_rating_is_one_to_five_with_a_reason(world):
    courtyard = make_courtyard(world)
    for stars, reason in ((0, "x"), (6, "x"), (3, "")):
        with pytest.raises(ValidationError):
            courtyard_rate(actor=world.worker_a, courtyard=courtyard, stars=stars, reason=reason)
    courtyard.refresh_from_db()
    assert courtyard.star_rating is None
    courtyard_rate(actor=world.secretary, courtyard=courtyard, stars=4, reason="创建验收合格")
    courtyard.refresh_from_db()
    assert courtyard.star_rating == 4
    entry = LogEntry.objects.get_for_object(courtyard).order_by("-pk").first()
    assert entry.additional_data == {"action": "star_rating", "reason": "创建验收合格"}
    with pytest.raises(PermissionDenied):
        courtyard_rate(actor=world.worker_b, courtyard=courtyard, stars=1, reason="x")


# --- tenants and the courtyard itself ---------------------------------------------------------------


def test_tenant_count_comes_from_active_registrations_and_feeds_the_colour(world):
    courtyard = make_courtyard(world, rooms=10)
    tenants = add_tenants(courtyard, 20, TODAY - 30 * DAY)
    courtyard.refresh_from_db()
    assert courtyard.tenant_count == 20
    assert courtyard.risk_color == "yellow"
    # one moved out, one registered twice (counts once), one starts next week
    RentalRegistration.objects.filter(resident=tenants[0]).update(end_date=TODAY - DAY)
    RentalRegistration.objects.create(
        area=courtyard.area, resident=tenants[1], courtyard=courtyard, start_date=TODAY - DAY
    )
    future = RentalRegistration.objects.filter(resident=tenants[2]).get()
    future.start_date = TODAY + 7 * DAY
    future.save()
    assert courtyard_refresh_tenants(courtyard=courtyard, on=TODAY) == 18
    courtyard.refresh_from_db()
    assert courtyard.tenant_count == 18
    assert courtyard.risk_color == "blue"


def test_courtyards_are_created_in_the_actors_areas_with_unique_codes(world):
    make_courtyard(world)
    with pytest.raises(ValidationError) as raised:
        make_courtyard(world, name="重复编号")
    assert "code" in raised.value.message_dict
    data = courtyard_clean(area=world.grid_b, code="C-B-001", name="乙格院", address="西路1号")
    with pytest.raises(PermissionDenied):
        courtyard_create(actor=world.worker_a, data=data)
    landlord_b = make_landlord(world.grid_b)
    data = courtyard_clean(
        area=world.grid_a, code="C-A-009", name="甲格院", address="东路9号", landlord=landlord_b
    )
    with pytest.raises(ValidationError) as raised:
        courtyard_create(actor=world.worker_a, data=data)
    assert "landlord" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        courtyard_clean(area=None, code="bad code!", name="", address="", lon=200.0, rooms=-1)
    assert set(raised.value.message_dict) == {"area", "code", "name", "address", "lon", "rooms"}
    assert list(Courtyard.objects.values_list("code", flat=True)) == ["C-A-001"]


def test_the_sweep_runs_as_a_task(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    courtyard = make_courtyard(world)
    with freeze_time(TODAY):
        inspect(world, courtyard, TODAY, structure="")  # 30 days to rectify
    with freeze_time(TODAY + 31 * DAY):
        result = courtyard_risk_sweep_task.enqueue()
    assert result.return_value == 1
    courtyard.refresh_from_db()
    assert courtyard.risk_color == "red"


def test_the_sweep_recounts_tenants_whose_tenancy_started_or_ended(world):
    courtyard = make_courtyard(world, rooms=0)
    add_tenants(courtyard, 19, TODAY - 30 * DAY)
    late = Resident.objects.create(area=courtyard.area, name="下周入住")
    RentalRegistration.objects.create(
        area=courtyard.area, resident=late, courtyard=courtyard, start_date=TODAY + 7 * DAY
    )
    courtyard_refresh_tenants(courtyard=courtyard, on=TODAY)
    courtyard.refresh_from_db()
    assert (courtyard.tenant_count, courtyard.risk_color) == (19, "blue")
    assert courtyard_risk_sweep(on=TODAY + 6 * DAY) == 0
    assert courtyard_risk_sweep(on=TODAY + 7 * DAY) == 1
    assert courtyard_risk_sweep(on=TODAY + 7 * DAY) == 0
    courtyard.refresh_from_db()
    assert (courtyard.tenant_count, courtyard.risk_color) == (20, "yellow")


@pytest.mark.django_db
def test_sweep_command_is_idempotent(capsys):
    from django.core.management import call_command

    call_command("sweep")
    call_command("sweep")
    assert "courtyards: 0 changed" in capsys.readouterr().out
