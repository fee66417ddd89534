"""Tenancies (出租登记): registering a (usually floating) resident in a courtyard room or a house,
ending the tenancy, and the scoped list the tenancy page reads.

A courtyard's ``tenant_count`` is kept by the courtyard services when they exist
(``gridgov.registry.courtyards.services.courtyard_refresh_tenants``); until then this module
counts the active registrations itself. Either way it happens in the transaction of the write.
"""

from __future__ import annotations

import datetime
import importlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.models import Area
from gridgov.core.scoping import visible_to
from gridgov.registry.models import Courtyard, House, RentalRegistration, Resident
from gridgov.registry.services import require_registry_writer

# "Ending soon" on the tenancy page: the end date falls within this many days.
ENDING_SOON_DAYS = 30


class RentalStatus:
    ACTIVE = "active"
    ENDED = "ended"
    ENDING = "ending"
    UPCOMING = "upcoming"


def _refresh_tenant_count(courtyard: Courtyard) -> None:
    try:
        module = importlib.import_module("gridgov.registry.courtyards.services")
    except ModuleNotFoundError as error:
        if error.name not in (
            "gridgov.registry.courtyards",
            "gridgov.registry.courtyards.services",
        ):
            raise
        module = None
    refresh = getattr(module, "courtyard_refresh_tenants", None)
    if refresh is not None:
        refresh(courtyard=courtyard)
        return
    count = (
        RentalRegistration.objects.filter(courtyard=courtyard)
        .active_on(timezone.localdate())
        .values("resident")
        .distinct()
        .count()
    )
    Courtyard.objects.filter(pk=courtyard.pk).update(tenant_count=count)


@transaction.atomic
def rental_register(
    *,
    actor: Any,
    resident: Resident,
    courtyard: Courtyard | None = None,
    house: House | None = None,
    room: str = "",
    start_date: datetime.date | None,
    end_date: datetime.date | None = None,
) -> RentalRegistration:
    """Register a tenancy. Raises ValidationError by field (nothing saved) for a missing or
    doubled place, a place or tenant outside the actor's scope, dates out of order or an
    overlapping tenancy of the same person in the same place; PermissionDenied when the actor may
    not write the registry of the place's area."""
    errors: dict[str, list[str]] = {}

    def fail(field_name: str, message: str) -> None:
        errors.setdefault(field_name, []).append(message)

    if courtyard is None and house is None:
        fail("__all__", _("Choose a courtyard or a house."))
    elif courtyard is not None and house is not None:
        fail("__all__", _("Choose a courtyard or a house, not both."))
    place: Courtyard | House | None = courtyard or house
    if courtyard is not None:
        if not visible_to(Courtyard.objects.filter(pk=courtyard.pk), actor).exists():
            fail("courtyard", _("Choose a courtyard you are responsible for."))
        elif courtyard.retired_at is not None:
            fail("courtyard", _("This courtyard is retired."))
    if house is not None and not visible_to(House.objects.filter(pk=house.pk), actor).exists():
        fail("house", _("Choose a house you are responsible for."))
    if not visible_to(Resident.objects.filter(pk=resident.pk), actor).exists():
        fail("resident", _("Choose a resident you are responsible for."))
    room = (room or "").strip()
    if len(room) > 16:
        fail("room", _("This is longer than %(n)d characters.") % {"n": 16})
    if start_date is None:
        fail("start_date", _("The start date is required."))
    elif end_date is not None and end_date < start_date:
        fail("end_date", _("The end date is before the start date."))
    if errors:
        raise ValidationError(errors)
    assert place is not None and start_date is not None
    require_registry_writer(actor, place.area)
    overlapping = RentalRegistration.objects.filter(
        resident=resident, courtyard=courtyard, house=house
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
    if end_date is not None:
        overlapping = overlapping.filter(start_date__lte=end_date)
    if overlapping.exists():
        raise ValidationError(
            {"__all__": [_("This person already has a tenancy here in that period.")]}
        )
    registration = RentalRegistration.objects.create(
        area=place.area,
        resident=resident,
        courtyard=courtyard,
        house=house,
        room=room,
        start_date=start_date,
        end_date=end_date,
        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if courtyard is not None:
        _refresh_tenant_count(courtyard)
    return registration


@transaction.atomic
def rental_end(
    *, actor: Any, registration: RentalRegistration, on: datetime.date | None
) -> RentalRegistration:
    """End a tenancy on ``on`` (the last day of it). Not before it started, not after it ended."""
    require_registry_writer(actor, registration.area)
    registration = RentalRegistration.objects.select_for_update().get(pk=registration.pk)
    if on is None:
        raise ValidationError({"end_date": [_("The end date is required.")]})
    if on < registration.start_date:
        raise ValidationError({"end_date": [_("The end date is before the start date.")]})
    if registration.end_date is not None and registration.end_date < timezone.localdate():
        raise ValidationError({"end_date": [_("This tenancy has already ended.")]})
    registration.end_date = on
    registration.save(update_fields=["end_date"])
    if registration.courtyard_id is not None:
        _refresh_tenant_count(registration.courtyard)
    return registration


# Reads ---------------------------------------------------------------------------------------
# (The scoped selector of the tenancy page; a candidate for registry/selectors.py.)


def rental_list(
    user: Any,
    *,
    status: str = "",
    query: str = "",
    area: Area | None = None,
    today: datetime.date | None = None,
) -> QuerySet[RentalRegistration]:
    """Tenancies the user may see; ``status`` is active, ending (within 30 days), ended or
    upcoming; ``query`` matches the tenant's name or the place's address."""
    today = today or timezone.localdate()
    rentals = RentalRegistration.objects.visible_to(user).select_related(
        "resident", "courtyard", "house", "area"
    )
    if status == RentalStatus.ACTIVE:
        rentals = rentals.active_on(today)
    elif status == RentalStatus.ENDING:
        rentals = rentals.active_on(today).filter(
            end_date__lte=today + datetime.timedelta(days=ENDING_SOON_DAYS)
        )
    elif status == RentalStatus.ENDED:
        rentals = rentals.filter(end_date__lt=today)
    elif status == RentalStatus.UPCOMING:
        rentals = rentals.filter(start_date__gt=today)
    query = (query or "").strip()
    if query:
        rentals = rentals.filter(
            Q(resident__name__contains=query)
            | Q(courtyard__name__contains=query)
            | Q(courtyard__address__contains=query)
            | Q(house__address__contains=query)
        )
    if area is not None:
        rentals = rentals.filter(area__code__startswith=area.code)
    return rentals.order_by("-start_date", "-id")


def rental_status(registration: RentalRegistration, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    if registration.start_date > today:
        return RentalStatus.UPCOMING
    if registration.end_date is not None and registration.end_date < today:
        return RentalStatus.ENDED
    if registration.end_date is not None and registration.end_date <= today + datetime.timedelta(
        days=ENDING_SOON_DAYS
    ):
        return RentalStatus.ENDING
    return RentalStatus.ACTIVE
