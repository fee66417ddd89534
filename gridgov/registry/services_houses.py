"""Houses (户 / 房屋): validation, create, edit, and who lives where; with the scoped reads the
house and landlord pages use.

``house_clean`` is the one place a house's fields are checked (as ``resident_clean`` is for
residents), so a form and an import row get the same reasons. Writes check
``require_registry_writer`` on the house's area (both the old and the new one on an edit).
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.areas.models import Area
from gridgov.core.scoping import visible_to
from gridgov.registry.models import Courtyard, House, HouseUse, Landlord, Resident
from gridgov.registry.services import require_registry_writer

MAX_FLOOR_AREA = decimal.Decimal("999999.99")


@dataclass
class HouseData:
    """A house's fields after validation: what the services write."""

    area: Area
    address: str
    use: str
    building: str = ""
    unit: str = ""
    room: str = ""
    floor_area: decimal.Decimal | None = None
    owner: Resident | None = None
    owner_name: str = ""


def house_clean(
    *,
    area: Area | None,
    address: str,
    use: str,
    building: str = "",
    unit: str = "",
    room: str = "",
    floor_area: decimal.Decimal | None = None,
    owner: Resident | None = None,
    owner_name: str = "",
) -> HouseData:
    """Validate and normalise; raise one ValidationError listing every problem by field."""
    errors: dict[str, list[str]] = {}

    def fail(field_name: str, message: str) -> None:
        errors.setdefault(field_name, []).append(message)

    address = (address or "").strip()
    if area is None:
        fail("area", _("The area is required."))
    if not address:
        fail("address", _("The address is required."))
    elif len(address) > 200:
        fail("address", _("The address is longer than 200 characters."))
    if use not in HouseUse.values:
        fail("use", _("Unknown use of a house."))
    for field_name, value, limit in (
        ("building", building, 32),
        ("unit", unit, 16),
        ("room", room, 16),
    ):
        if len((value or "").strip()) > limit:
            fail(field_name, _("This is longer than %(n)d characters.") % {"n": limit})
    if floor_area is not None and not (0 < floor_area <= MAX_FLOOR_AREA):
        fail("floor_area", _("The floor area must be more than 0 and at most 999999.99 m²."))
    owner_name = (owner_name or "").strip()
    if owner is not None and not owner_name:
        owner_name = owner.name
    if len(owner_name) > 64:
        fail("owner_name", _("The name is longer than 64 characters."))
    if errors:
        raise ValidationError(errors)
    assert area is not None
    return HouseData(
        area=area,
        address=address,
        use=use,
        building=(building or "").strip(),
        unit=(unit or "").strip(),
        room=(room or "").strip(),
        floor_area=floor_area,
        owner=owner,
        owner_name=owner_name,
    )


def _check_owner_and_address(actor: Any, data: HouseData, *, exclude_pk: int | None) -> None:
    # The owner must be somebody the actor may see: linking an unseen person would leak them
    # onto this house's page.
    if (
        data.owner is not None
        and not visible_to(Resident.objects.filter(pk=data.owner.pk), actor).exists()
    ):
        raise ValidationError({"owner": [_("Choose a resident you are responsible for.")]})
    clash = House.objects.filter(area=data.area, address=data.address)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"address": [_("A house with this address exists in this area.")]})


def _apply(house: House, data: HouseData) -> None:
    house.area = data.area
    house.address = data.address
    house.use = data.use
    house.building = data.building
    house.unit = data.unit
    house.room = data.room
    house.floor_area = data.floor_area
    house.owner = data.owner
    house.owner_name = data.owner_name


@transaction.atomic
def house_create(*, actor: Any, data: HouseData) -> House:
    require_registry_writer(actor, data.area)
    _check_owner_and_address(actor, data, exclude_pk=None)
    house = House()
    _apply(house, data)
    house.save()
    return house


@transaction.atomic
def house_update(*, actor: Any, house: House, data: HouseData) -> House:
    require_registry_writer(actor, house.area)
    require_registry_writer(actor, data.area)
    house = House.objects.select_for_update().get(pk=house.pk)
    _check_owner_and_address(actor, data, exclude_pk=house.pk)
    _apply(house, data)
    house.save()
    return house


@transaction.atomic
def resident_assign_house(*, actor: Any, resident: Resident, house: House | None) -> Resident:
    """Set (or clear) the house a resident lives in. The house and the resident's area must lie on
    one branch of the tree (a house in the resident's grid, or the building the resident is
    filed under), and the actor must be able to write both."""
    require_registry_writer(actor, resident.area)
    if house is not None:
        require_registry_writer(actor, house.area)
        if not (
            resident.area.code.startswith(house.area.code)
            or house.area.code.startswith(resident.area.code)
        ):
            raise ValidationError({"house": [_("The house is not in the resident's area.")]})
    if resident.house_id == (house.pk if house else None):
        return resident
    resident.house = house
    resident.save(update_fields=["house", "updated_at"])
    return resident


# Reads ---------------------------------------------------------------------------------------
# (Scoped selectors for the house and landlord pages; candidates for registry/selectors.py.)


def house_list(
    user: Any, *, query: str = "", use: str = "", area: Area | None = None
) -> QuerySet[House]:
    """Houses the user may see, with the number of residents living there (one query)."""
    houses = (
        House.objects.visible_to(user)
        .select_related("area", "owner")
        .annotate(resident_count=Count("residents", filter=Q(residents__moved_out_at__isnull=True)))
    )
    query = (query or "").strip()
    if query:
        houses = houses.filter(Q(address__contains=query) | Q(owner_name__contains=query))
    if use:
        houses = houses.filter(use=use)
    if area is not None:
        houses = houses.filter(area__code__startswith=area.code)
    return houses.order_by("address", "id")


def landlord_list(user: Any, *, query: str = "", area: Area | None = None) -> QuerySet[Landlord]:
    """Landlords the user may see, with the number of courtyards they run (one query)."""
    landlords = (
        Landlord.objects.visible_to(user)
        .select_related("area")
        .annotate(
            courtyard_count=Count("courtyards", filter=Q(courtyards__retired_at__isnull=True))
        )
    )
    query = (query or "").strip()
    if query:
        landlords = landlords.filter(Q(name__contains=query) | Q(address__contains=query))
    if area is not None:
        landlords = landlords.filter(area__code__startswith=area.code)
    return landlords.order_by("name", "id")


def landlord_courtyards(user: Any, landlord: Landlord) -> QuerySet[Courtyard]:
    """The courtyards a landlord runs that the user may see (a landlord may let in several grids)."""
    return (
        Courtyard.objects.visible_to(user)
        .filter(landlord=landlord)
        .select_related("area")
        .order_by("code")
    )


def house_residents(user: Any, house: House) -> QuerySet[Resident]:
    return (
        Resident.objects.visible_to(user)
        .filter(house=house)
        .select_related("area")
        .prefetch_related("tags")
        .order_by("moved_out_at", "name", "id")
    )
