"""The registry's entries in the console navigation (an entry whose page is missing is hidden)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import STAFF_ROLES
from gridgov.core.navigation import NavEntry, register_entry, register_module
from gridgov.core.scoping import scope_of


def _has_areas(request: HttpRequest) -> bool:
    scope = scope_of(request.user)
    return scope.everything or bool(scope.area_codes and scope.roles & STAFF_ROLES)


def register_navigation() -> None:
    register_module("registry", _("People and houses"), "people", order=30)
    for label, url_name in (
        (_("Residents"), "registry:resident_list"),
        (_("Houses"), "registry:house_list"),
        (_("Courtyards"), "registry:courtyard_list"),
        (_("Landlords"), "registry:landlord_list"),
        (_("Tenancies"), "registry:rental_list"),
        (_("Inspections due"), "registry:inspection_due"),
        (_("Import and export"), "registry:import_list"),
    ):
        register_entry("registry", NavEntry(label, url_name, allowed=_has_areas))
