"""The patrol console in the staff navigation (under Cases), and the phone pages' entry."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import Role
from gridgov.core.navigation import NavEntry, register_entry, register_module
from gridgov.core.scoping import scope_of

SUPERVISING_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.STREET_OFFICER,
        Role.COMMUNITY_SECRETARY,
        Role.GRID_LEADER,
        Role.GRID_INSTRUCTOR,
    }
)
FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER})


def _supervises(request: HttpRequest) -> bool:
    scope = scope_of(request.user)
    return scope.everything or bool(scope.area_codes and scope.roles & SUPERVISING_ROLES)


def _works_in_the_field(request: HttpRequest) -> bool:
    return bool(scope_of(request.user).roles & FIELD_ROLES)


def register_navigation() -> None:
    register_module("cases", _("Cases"), "cases", order=10)
    register_entry("cases", NavEntry(_("Patrols"), "patrols:console", allowed=_supervises))
    register_entry("cases", NavEntry(_("Phone pages"), "patrol:todo", allowed=_works_in_the_field))
