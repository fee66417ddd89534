"""The courtyard safety checklist: what a grid worker checks on every inspection.

Each item has a stable ``code`` (stored in ``InspectionItem.item``; never rename one, add a new
code instead), a label shown through gettext, whether a failure is *severe* (it weighs heavily in
the risk rule, see ``risk.py``) and the default number of days the landlord is given to rectify a
failure. The order is the order of the inspection form.

The items follow what the seed reports and the usual rental-courtyard checks name: fire safety,
gas, wiring, escape routes, extinguishers, e-bikes charged indoors (a leading cause of deadly fires
in rental rooms, hence severe), tenant registration, sanitation and the structure of the building.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ChecklistItem:
    """One hazard the inspection checks."""

    code: str
    label: str | Promise
    severe: bool
    rectify_days: int
    help: str | Promise = ""


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "fire_safety",
        _("Fire safety"),
        severe=False,
        rectify_days=7,
        help=_("No open flames or flammable goods piled up; smoke alarms where required."),
    ),
    ChecklistItem(
        "gas",
        _("Gas"),
        severe=False,
        rectify_days=3,
        help=_("Cylinders and hoses in good order, kept outside bedrooms, a leak alarm fitted."),
    ),
    ChecklistItem(
        "electrical_wiring",
        _("Electrical wiring"),
        severe=False,
        rectify_days=7,
        help=_("No improvised or overloaded wiring; a circuit breaker with leakage protection."),
    ),
    ChecklistItem(
        "escape_routes",
        _("Escape routes and exits"),
        severe=False,
        rectify_days=3,
        help=_("Corridors, stairs and exits free; windows without fixed bars on upper floors."),
    ),
    ChecklistItem(
        "extinguishers",
        _("Fire extinguishers"),
        severe=False,
        rectify_days=7,
        help=_("Extinguishers present, within date and reachable."),
    ),
    ChecklistItem(
        "ebike_charging",
        _("E-bikes charged indoors"),
        severe=True,
        rectify_days=1,
        help=_("No electric bicycle or battery charged or parked in rooms, corridors or stairs."),
    ),
    ChecklistItem(
        "tenant_registration",
        _("Tenant registration complete"),
        severe=False,
        rectify_days=7,
        help=_("Every tenant living here is registered (rental registration)."),
    ),
    ChecklistItem(
        "sanitation",
        _("Sanitation"),
        severe=False,
        rectify_days=14,
        help=_("Rubbish collected, drains clear, no pests."),
    ),
    ChecklistItem(
        "structure",
        _("Building structure"),
        severe=True,
        rectify_days=30,
        help=_("No cracks, subsidence or unauthorised additions that endanger the building."),
    ),
)

ITEMS_BY_CODE: dict[str, ChecklistItem] = {item.code: item for item in CHECKLIST}
CODES: tuple[str, ...] = tuple(ITEMS_BY_CODE)
SEVERE_CODES: frozenset[str] = frozenset(item.code for item in CHECKLIST if item.severe)


def item_for(code: str) -> ChecklistItem | None:
    """The checklist item of ``code``, or None for a code no longer on the list."""
    return ITEMS_BY_CODE.get(code)


def label_for(code: str) -> str | Promise:
    """The label of ``code``; an item dropped from the checklist keeps showing its code."""
    item = ITEMS_BY_CODE.get(code)
    return item.label if item is not None else code


def is_severe(code: str) -> bool:
    return code in SEVERE_CODES
