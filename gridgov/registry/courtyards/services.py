"""Writes to courtyards and their safety inspections; pages, the API, imports and jobs call these.

Every function is keyword-only, runs in one transaction, checks the actor with
``require_registry_writer`` against the courtyard's area and raises ``ValidationError`` (by field)
before it changes anything. After anything the risk rule looks at changes (an inspection, a
rectification, an override, the tenant count, the room count), ``courtyard_rederive`` recomputes
the derived colour and the next inspection date in the same transaction.

Decisions (a person's judgement: a colour override, a star rating) carry a reason; the reason goes
into the courtyard's audit entry (``additional_data``) next to the changed fields.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.models import Area
from gridgov.core.scoping import visible_to
from gridgov.registry.courtyards import checklist
from gridgov.registry.courtyards.risk import (
    RiskAssessment,
    RiskFigures,
    derive_color,
    next_inspection_due,
    risk_rule,
)
from gridgov.registry.models import (
    Courtyard,
    Inspection,
    InspectionItem,
    Landlord,
    RentalRegistration,
    RiskColor,
)
from gridgov.registry.services import require_registry_writer

REASON_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 200
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,23}$")

# What ``inspection_record`` takes for each checklist item: (passed, note).
Results = dict[str, tuple[bool, str]]


# --- reading the figures the rule looks at --------------------------------------------------------


def latest_inspection(courtyard: Courtyard) -> Inspection | None:
    """The inspection that counts: the latest by date (and by entry for two on one day)."""
    return Inspection.objects.filter(courtyard=courtyard).order_by("-inspected_on", "-id").first()


def risk_figures(courtyard: Courtyard, *, on: datetime.date) -> RiskFigures:
    """The figures of ``courtyard`` on day ``on``: open failures of its latest inspection, those
    past their rectification deadline, its tenants and rooms."""
    failed = severe_failed = overdue = severe_overdue = 0
    inspection = latest_inspection(courtyard)
    if inspection is not None:
        for code, rectify_by in inspection.items.filter(
            passed=False, rectified_on__isnull=True
        ).values_list("item", "rectify_by"):
            severe = checklist.is_severe(code)
            late = rectify_by is not None and rectify_by < on
            failed += 1
            severe_failed += severe
            overdue += late
            severe_overdue += severe and late
    return RiskFigures(
        severe_failed=severe_failed,
        failed=failed,
        severe_overdue=severe_overdue,
        overdue=overdue,
        tenants=courtyard.tenant_count,
        rooms=courtyard.rooms,
    )


def risk_assessment(courtyard: Courtyard, *, on: datetime.date | None = None) -> RiskAssessment:
    """The derived colour with its reasons, as the rule sees the courtyard today."""
    return derive_color(risk_figures(courtyard, on=on or timezone.localdate()))


def courtyard_rederive(courtyard: Courtyard, *, on: datetime.date | None = None) -> bool:
    """Recompute the derived colour and the next inspection date; save if they changed.

    Not a decision of anybody (no actor): it applies the rule to the facts recorded. Safe to run
    twice. Returns True if something changed.
    """
    rule = risk_rule()
    day = on or timezone.localdate()
    color = derive_color(risk_figures(courtyard, on=day), rule).color
    due = next_inspection_due(courtyard.last_inspected_on, courtyard.risk_override or color, rule)
    if courtyard.risk_color == color and courtyard.next_inspection_due == due:
        return False
    courtyard.risk_color = color
    courtyard.next_inspection_due = due
    courtyard.save(update_fields=["risk_color", "next_inspection_due", "updated_at"])
    return True


def _save_with_reason(
    courtyard: Courtyard, *, update_fields: list[str], action: str, reason: str
) -> None:
    # django-auditlog asks the instance for ``get_additional_data`` when it writes the entry of
    # this save: the reason lands in the same audit entry as the changed fields.
    courtyard.get_additional_data = lambda: {"action": action, "reason": reason}  # type: ignore[attr-defined]
    try:
        courtyard.save(update_fields=[*update_fields, "updated_at"])
    finally:
        del courtyard.get_additional_data  # type: ignore[attr-defined]


def _locked(courtyard: Courtyard) -> Courtyard:
    return Courtyard.objects.select_for_update().select_related("area").get(pk=courtyard.pk)


def _clean_reason(reason: str | None, *, required: bool, errors: dict[str, list[str]]) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        errors.setdefault("reason", []).append(_("Give a reason."))
    elif len(reason) > REASON_MAX_LENGTH:
        errors.setdefault("reason", []).append(
            _("The reason is longer than %(n)d characters.") % {"n": REASON_MAX_LENGTH}
        )
    return reason


# --- courtyards -----------------------------------------------------------------------------------


@dataclass
class CourtyardData:
    """A courtyard's own fields after validation: what create and update write."""

    area: Area
    code: str
    name: str
    address: str
    lon: float | None = None
    lat: float | None = None
    landlord: Landlord | None = None
    rooms: int = 0
    contact_channel: str = ""


def courtyard_clean(
    *,
    area: Area | None,
    code: str,
    name: str,
    address: str,
    lon: float | None = None,
    lat: float | None = None,
    landlord: Landlord | None = None,
    rooms: int | None = 0,
    contact_channel: str = "",
) -> CourtyardData:
    """Validate and normalise; one ValidationError listing every problem by field.
    Coordinates are WGS-84 (convert GCJ-02 from phone maps with ``gridgov.areas.geo`` first)."""
    errors: dict[str, list[str]] = {}

    def fail(field_name: str, message: str) -> None:
        errors.setdefault(field_name, []).append(message)

    code = (code or "").strip()
    name = (name or "").strip()
    address = (address or "").strip()
    contact_channel = (contact_channel or "").strip()
    if area is None:
        fail("area", _("The area is required."))
    if not code:
        fail("code", _("The code is required."))
    elif not _CODE.match(code):
        fail("code", _("A code has at most 24 letters, digits or hyphens."))
    if not name:
        fail("name", _("The name is required."))
    elif len(name) > 100:
        fail("name", _("The name is longer than 100 characters."))
    if not address:
        fail("address", _("The address is required."))
    elif len(address) > 200:
        fail("address", _("The address is longer than 200 characters."))
    if (lon is None) != (lat is None):
        fail("lon", _("Give both longitude and latitude, or neither."))
    elif lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        fail("lon", _("The coordinates are out of range."))
    if rooms is None or rooms < 0:
        fail("rooms", _("The number of rooms cannot be negative."))
    if len(contact_channel) > 100:
        fail("contact_channel", _("The contact channel is longer than 100 characters."))
    if errors:
        raise ValidationError(errors)
    assert area is not None and rooms is not None
    return CourtyardData(
        area=area,
        code=code,
        name=name,
        address=address,
        lon=lon,
        lat=lat,
        landlord=landlord,
        rooms=rooms,
        contact_channel=contact_channel,
    )


def _check_references(actor: Any, data: CourtyardData, courtyard: Courtyard | None) -> None:
    clash = Courtyard.objects.filter(code=data.code)
    if courtyard is not None:
        clash = clash.exclude(pk=courtyard.pk)
    if clash.exists():
        raise ValidationError({"code": [_("A courtyard with this code is registered.")]})
    if (
        data.landlord is not None
        and not visible_to(Landlord.objects.filter(pk=data.landlord.pk), actor).exists()
    ):
        # A landlord outside the actor's areas does not exist for them.
        raise ValidationError({"landlord": [_("Unknown landlord.")]})


def _apply(courtyard: Courtyard, data: CourtyardData) -> None:
    courtyard.area = data.area
    courtyard.code = data.code
    courtyard.name = data.name
    courtyard.address = data.address
    courtyard.lon = data.lon
    courtyard.lat = data.lat
    courtyard.landlord = data.landlord
    courtyard.rooms = data.rooms
    courtyard.contact_channel = data.contact_channel


@transaction.atomic
def courtyard_create(*, actor: Any, data: CourtyardData) -> Courtyard:
    """Register a courtyard. Never inspected, it is due for inspection at once."""
    require_registry_writer(actor, data.area)
    _check_references(actor, data, None)
    courtyard = Courtyard()
    _apply(courtyard, data)
    courtyard.risk_color = derive_color(RiskFigures(rooms=data.rooms)).color
    courtyard.save()
    return courtyard


@transaction.atomic
def courtyard_update(*, actor: Any, courtyard: Courtyard, data: CourtyardData) -> Courtyard:
    """Change a courtyard's own fields (moving it needs the right to write both areas)."""
    courtyard = _locked(courtyard)
    require_registry_writer(actor, courtyard.area)
    require_registry_writer(actor, data.area)
    _check_references(actor, data, courtyard)
    _apply(courtyard, data)
    courtyard.save()
    courtyard_rederive(courtyard)  # the room count feeds the rule
    return courtyard


@transaction.atomic
def courtyard_refresh_tenants(*, courtyard: Courtyard, on: datetime.date | None = None) -> int:
    """Recount the tenants (people with an active rental registration in the courtyard) and
    re-derive the colour. The tenancy services call this after every change of a registration."""
    day = on or timezone.localdate()
    courtyard = _locked(courtyard)
    count = (
        RentalRegistration.objects.filter(courtyard=courtyard)
        .active_on(day)
        .values("resident")
        .distinct()
        .count()
    )
    if count != courtyard.tenant_count:
        courtyard.tenant_count = count
        courtyard.save(update_fields=["tenant_count", "updated_at"])
    courtyard_rederive(courtyard, on=day)
    return count


@transaction.atomic
def courtyard_risk_override(
    *, actor: Any, courtyard: Courtyard, color: str, reason: str
) -> Courtyard:
    """Set the colour by judgement (``color`` one of RiskColor) with a required reason, or clear
    the override (``color=""``) to go back to the derived colour. The override also sets the
    inspection interval. The audit entry keeps the old and new colour and the reason."""
    courtyard = _locked(courtyard)
    require_registry_writer(actor, courtyard.area)
    errors: dict[str, list[str]] = {}
    color = (color or "").strip()
    if color and color not in RiskColor.values:
        errors["color"] = [_("Unknown risk colour.")]
    reason = _clean_reason(reason, required=bool(color), errors=errors)
    if not color and not courtyard.risk_override and not errors:
        errors["color"] = [_("This courtyard has no override to clear.")]
    if errors:
        raise ValidationError(errors)
    courtyard.risk_override = color
    courtyard.risk_override_reason = reason if color else ""
    courtyard.next_inspection_due = next_inspection_due(
        courtyard.last_inspected_on, courtyard.effective_risk_color
    )
    _save_with_reason(
        courtyard,
        update_fields=["risk_override", "risk_override_reason", "next_inspection_due"],
        action="risk_override" if color else "risk_override_cleared",
        reason=reason,
    )
    return courtyard


@transaction.atomic
def courtyard_rate(
    *, actor: Any, courtyard: Courtyard, stars: int | None, reason: str
) -> Courtyard:
    """Award 1–5 stars in the star-courtyard campaign (星级院落创建), or withdraw them (``None``).
    A reason is required; it is kept in the audit entry."""
    courtyard = _locked(courtyard)
    require_registry_writer(actor, courtyard.area)
    errors: dict[str, list[str]] = {}
    if stars is not None and (isinstance(stars, bool) or stars not in range(1, 6)):
        errors["stars"] = [_("A rating is 1 to 5 stars.")]
    reason = _clean_reason(reason, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    courtyard.star_rating = stars
    _save_with_reason(courtyard, update_fields=["star_rating"], action="star_rating", reason=reason)
    return courtyard


# --- inspections ----------------------------------------------------------------------------------


def _clean_results(results: Results) -> tuple[dict[str, tuple[bool, str]], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, tuple[bool, str]] = {}
    unknown = sorted(code for code in results if code not in checklist.ITEMS_BY_CODE)
    if unknown:
        errors["results"] = [
            _("Unknown checklist items: %(items)s") % {"items": ", ".join(unknown)}
        ]
    for item in checklist.CHECKLIST:
        answer = results.get(item.code)
        if answer is None or answer[0] is None:
            errors[item.code] = [_("Mark this item as passed or failed.")]
            continue
        passed, note = bool(answer[0]), (answer[1] or "").strip()
        if len(note) > NOTE_MAX_LENGTH:
            errors[item.code] = [
                _("The note is longer than %(n)d characters.") % {"n": NOTE_MAX_LENGTH}
            ]
        cleaned[item.code] = (passed, note)
    return cleaned, errors


@transaction.atomic
def inspection_record(
    *,
    actor: Any,
    courtyard: Courtyard,
    inspected_on: datetime.date,
    results: Results,
    notes: str = "",
) -> Inspection:
    """Record an inspection against the whole checklist (every item passed or failed).

    A failed item gets a rectification deadline: the inspection date plus the item's days, or the
    deadline of the same item still open from the previous inspection if that is earlier (failing
    again does not buy the landlord more time). The courtyard's colour is re-derived and its next
    inspection set by the colour.
    """
    courtyard = _locked(courtyard)
    require_registry_writer(actor, courtyard.area)
    today = timezone.localdate()
    cleaned, errors = _clean_results(results)
    if courtyard.retired_at is not None:
        errors.setdefault("inspected_on", []).append(_("This courtyard is retired."))
    if inspected_on is None:
        errors.setdefault("inspected_on", []).append(_("The inspection date is required."))
    elif inspected_on > today:
        errors.setdefault("inspected_on", []).append(_("The inspection date is in the future."))
    elif courtyard.last_inspected_on and inspected_on < courtyard.last_inspected_on:
        errors.setdefault("inspected_on", []).append(
            _("A later inspection (%(date)s) is already recorded.")
            % {"date": courtyard.last_inspected_on.isoformat()}
        )
    if errors:
        raise ValidationError(errors)

    previous = latest_inspection(courtyard)
    open_deadlines: dict[str, datetime.date] = {}
    if previous is not None:
        open_deadlines = dict(
            previous.items.filter(
                passed=False, rectified_on__isnull=True, rectify_by__isnull=False
            ).values_list("item", "rectify_by")
        )
    failed = [code for code, (passed, _note) in cleaned.items() if not passed]
    inspection = Inspection.objects.create(
        courtyard=courtyard,
        inspected_on=inspected_on,
        inspector=actor,
        failed_count=len(failed),
        severe_failed_count=sum(checklist.is_severe(code) for code in failed),
        notes=(notes or "").strip(),
    )
    for item in checklist.CHECKLIST:
        passed, note = cleaned[item.code]
        rectify_by = None
        if not passed:
            rectify_by = inspected_on + datetime.timedelta(days=item.rectify_days)
            if item.code in open_deadlines:
                rectify_by = min(rectify_by, open_deadlines[item.code])
        # One by one (not bulk_create) so that each item gets its audit entry.
        InspectionItem.objects.create(
            inspection=inspection,
            item=item.code,
            passed=passed,
            note=note,
            rectify_by=rectify_by,
        )
    courtyard.last_inspected_on = inspected_on
    courtyard.save(update_fields=["last_inspected_on", "updated_at"])
    courtyard_rederive(courtyard, on=today)
    return inspection


@transaction.atomic
def inspection_item_rectify(
    *, actor: Any, item: InspectionItem, on: datetime.date
) -> InspectionItem:
    """Record that a failed item was put right on ``on`` (checked on site by the actor)."""
    item = (
        InspectionItem.objects.select_for_update()
        .select_related("inspection__courtyard__area")
        .get(pk=item.pk)
    )
    courtyard = item.inspection.courtyard
    require_registry_writer(actor, courtyard.area)
    today = timezone.localdate()
    errors: list[str] = []
    latest = latest_inspection(courtyard)
    if item.passed:
        errors.append(_("This item passed; there is nothing to rectify."))
    elif item.rectified_on is not None:
        errors.append(_("This item was already rectified."))
    elif latest is None or latest.pk != item.inspection_id:
        errors.append(_("A later inspection has checked this item again; rectify that one."))
    elif on is None:
        errors.append(_("The date is required."))
    elif on > today:
        errors.append(_("The date is in the future."))
    elif on < item.inspection.inspected_on:
        errors.append(_("The date is before the inspection."))
    if errors:
        raise ValidationError({"on": errors})
    item.rectified_on = on
    item.save(update_fields=["rectified_on"])
    courtyard = _locked(courtyard)
    courtyard_rederive(courtyard, on=today)
    return item


def courtyard_risk_sweep(*, on: datetime.date | None = None) -> int:
    """The daily job: recount the tenants of courtyards whose count changed with the calendar
    (tenancies that started or ended), and re-derive every courtyard whose latest inspection has
    an open item past its deadline (the colour can rise with the calendar alone). Idempotent;
    returns how many courtyards changed."""
    day = on or timezone.localdate()
    changed = 0
    counts = dict(
        RentalRegistration.objects.filter(courtyard__isnull=False)
        .active_on(day)
        .values("courtyard")
        .annotate(n=models.Count("resident", distinct=True))
        .values_list("courtyard", "n")
    )
    stale_counts = [
        courtyard_id
        for courtyard_id, stored in Courtyard.objects.filter(retired_at__isnull=True).values_list(
            "id", "tenant_count"
        )
        if counts.get(courtyard_id, 0) != stored
    ]
    for courtyard_id in stale_counts:
        courtyard_refresh_tenants(courtyard=Courtyard(pk=courtyard_id), on=day)
        changed += 1

    latest = (
        Inspection.objects.filter(courtyard=models.OuterRef("inspection__courtyard"))
        .order_by("-inspected_on", "-id")
        .values("id")[:1]
    )
    courtyard_ids = (
        InspectionItem.objects.filter(
            passed=False,
            rectified_on__isnull=True,
            rectify_by__lt=day,
            inspection__courtyard__retired_at__isnull=True,
        )
        .filter(inspection_id=models.Subquery(latest))
        .values_list("inspection__courtyard_id", flat=True)
        .distinct()
    )
    for courtyard_id in list(courtyard_ids):
        with transaction.atomic():
            courtyard = Courtyard.objects.select_for_update().get(pk=courtyard_id)
            changed += courtyard_rederive(courtyard, on=day)
    return changed
