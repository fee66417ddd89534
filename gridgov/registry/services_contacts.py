"""Writes to a resident's emergency contacts (the people the SOS button and care visits call).

The phone is validated and normalised like a resident's own (``validate_phone``), stored encrypted
and shown masked. Both functions check that the actor may write the registry of the resident's
area; pages, the API and the import call them alike.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.core.identifiers import validate_phone
from gridgov.registry.models import EmergencyContact, Resident
from gridgov.registry.services import require_registry_writer

# A resident with more contacts than this is a data-entry mistake, not a family.
MAX_CONTACTS = 10


@transaction.atomic
def emergency_contact_add(
    *, actor: Any, resident: Resident, name: str, relation: str = "", phone: str
) -> EmergencyContact:
    """Add a contact; raise ValidationError by field (nothing saved) or PermissionDenied."""
    require_registry_writer(actor, resident.area)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    relation = (relation or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("The name is required."))
    elif len(name) > 64:
        errors.setdefault("name", []).append(_("The name is longer than 64 characters."))
    if len(relation) > 32:
        errors.setdefault("relation", []).append(_("The relation is longer than 32 characters."))
    normalised = ""
    if not (phone or "").strip():
        errors.setdefault("phone", []).append(_("The phone number is required."))
    else:
        try:
            normalised = validate_phone(phone)
        except ValidationError as error:
            errors.setdefault("phone", []).extend(error.messages)
    # Locks the resident's row, so that two concurrent adds cannot both pass the limit.
    Resident.objects.select_for_update().filter(pk=resident.pk).first()
    if EmergencyContact.objects.filter(resident=resident).count() >= MAX_CONTACTS:
        errors.setdefault("__all__", []).append(
            _("A resident has at most %(n)d emergency contacts.") % {"n": MAX_CONTACTS}
        )
    if errors:
        raise ValidationError(errors)
    return EmergencyContact.objects.create(
        resident=resident, name=name, relation=relation, phone=normalised
    )


@transaction.atomic
def emergency_contact_remove(*, actor: Any, contact: EmergencyContact) -> None:
    """Remove a contact (the audit log keeps the record of it, with the phone masked)."""
    require_registry_writer(actor, contact.resident.area)
    contact.delete()
