"""Writes to the registry of people and houses; every caller (pages, import, API, demo) uses these.

``resident_clean`` is the one place a resident's fields are validated and derived (sex and birth
date from the ID number), so a row imported from Excel and a form typed by a grid worker obey the
same rules and get the same error messages.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.models import Area
from gridgov.core.fields import lookup_index
from gridgov.core.identifiers import (
    birth_date_from_id_number,
    sex_from_id_number,
    validate_id_number,
    validate_phone,
)
from gridgov.core.models import Role
from gridgov.core.scoping import scope_of, visible_to
from gridgov.registry.models import (
    DocumentType,
    ResidenceType,
    Resident,
    ResidentTag,
    ResidentTagKind,
)

# Roles that may write the registry of the areas they see (residents keep to the phone pages).
REGISTRY_WRITERS = frozenset(
    {
        Role.ADMIN,
        Role.STREET_OFFICER,
        Role.COMMUNITY_SECRETARY,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
    }
)


def can_write_registry(user: Any, area: Area) -> bool:
    scope = scope_of(user)
    if not (scope.everything or scope.roles & REGISTRY_WRITERS):
        return False
    return visible_to(Area.objects.filter(pk=area.pk), user).exists()


def require_registry_writer(user: Any, area: Area) -> None:
    if not can_write_registry(user, area):
        raise PermissionDenied(_("You may not change the registry of this area."))


# Built once: an import validates hundreds of thousands of rows against them.
_DOCUMENT_TYPES = frozenset(DocumentType.values)
_RESIDENCE_TYPES = frozenset(ResidenceType.values)
_TAGS = frozenset(ResidentTagKind.values)


@dataclass
class ResidentData:
    """A resident's fields after validation: what the services write."""

    name: str
    area: Area
    document_type: str = DocumentType.ID_CARD
    id_number: str = ""
    sex: str = ""
    birth_date: datetime.date | None = None
    phone: str = ""
    residence_type: str = ResidenceType.REGISTERED
    household_address: str = ""
    address: str = ""
    tags: list[str] = field(default_factory=list)
    notes: str = ""


def resident_clean(
    *,
    name: str,
    area: Area | None,
    id_number: str = "",
    phone: str = "",
    document_type: str = DocumentType.ID_CARD,
    residence_type: str = ResidenceType.REGISTERED,
    household_address: str = "",
    address: str = "",
    tags: list[str] | tuple[str, ...] = (),
    notes: str = "",
    sex: str = "",
    birth_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> ResidentData:
    """Validate and normalise; raise one ValidationError listing every problem by field."""
    errors: dict[str, list[str]] = {}

    def fail(field_name: str, message: str) -> None:
        errors.setdefault(field_name, []).append(message)

    name = (name or "").strip()
    if not name:
        fail("name", _("The name is required."))
    elif len(name) > 64:
        fail("name", _("The name is longer than 64 characters."))
    if area is None:
        fail("area", _("The area is required."))
    if document_type not in _DOCUMENT_TYPES:
        fail("document_type", _("Unknown document type."))
    if residence_type not in _RESIDENCE_TYPES:
        fail("residence_type", _("Unknown residence type."))
    id_number = (id_number or "").strip()
    if id_number and document_type == DocumentType.ID_CARD:
        try:
            id_number = validate_id_number(id_number)
        except ValidationError as error:
            fail("id_number", error.messages[0])
        else:
            sex = sex_from_id_number(id_number)
            birth_date = birth_date_from_id_number(id_number)
            if birth_date > (today or timezone.localdate()):
                fail("id_number", _("The birth date inside the ID card number is in the future."))
    phone = (phone or "").strip()
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as error:
            fail("phone", error.messages[0])
    unknown = [tag for tag in tags if tag not in _TAGS]
    if unknown:
        fail("tags", _("Unknown tags: %(tags)s") % {"tags": ", ".join(unknown)})
    if errors:
        raise ValidationError(errors)
    assert area is not None
    return ResidentData(
        name=name,
        area=area,
        document_type=document_type,
        id_number=id_number,
        sex=sex,
        birth_date=birth_date,
        phone=phone,
        residence_type=residence_type,
        household_address=(household_address or "").strip(),
        address=(address or "").strip(),
        tags=sorted(set(tags)),
        notes=notes or "",
    )


def _apply(resident: Resident, data: ResidentData) -> None:
    resident.name = data.name
    resident.area = data.area
    resident.document_type = data.document_type
    resident.id_number = data.id_number
    resident.sex = data.sex
    resident.birth_date = data.birth_date
    resident.phone = data.phone
    resident.residence_type = data.residence_type
    resident.household_address = data.household_address
    resident.address = data.address
    resident.notes = data.notes


def _set_tags(resident: Resident, tags: list[str]) -> None:
    current = set(resident.tags.values_list("tag", flat=True))
    wanted = set(tags)
    ResidentTag.objects.filter(resident=resident, tag__in=current - wanted).delete()
    for tag in sorted(wanted - current):
        ResidentTag.objects.create(resident=resident, tag=tag)


@transaction.atomic
def resident_create(*, actor: Any, data: ResidentData) -> Resident:
    require_registry_writer(actor, data.area)
    if (
        data.id_number
        and Resident.objects.filter(
            id_number_index=lookup_index(Resident, "id_number", data.id_number)
        ).exists()
    ):
        raise ValidationError({"id_number": [_("A resident with this ID number is registered.")]})
    resident = Resident()
    _apply(resident, data)
    resident.save()
    _set_tags(resident, data.tags)
    return resident


@transaction.atomic
def resident_update(*, actor: Any, resident: Resident, data: ResidentData) -> Resident:
    require_registry_writer(actor, resident.area)
    require_registry_writer(actor, data.area)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if data.id_number:
        clash = Resident.objects.filter(
            id_number_index=lookup_index(Resident, "id_number", data.id_number)
        ).exclude(pk=resident.pk)
        if clash.exists():
            raise ValidationError(
                {"id_number": [_("A resident with this ID number is registered.")]}
            )
    _apply(resident, data)
    resident.save()
    _set_tags(resident, data.tags)
    return resident


@transaction.atomic
def resident_move_out(*, actor: Any, resident: Resident, on: datetime.date) -> Resident:
    require_registry_writer(actor, resident.area)
    resident.moved_out_at = on
    resident.save(update_fields=["moved_out_at", "updated_at"])
    return resident
