"""Who manages SOS: community staff (and above) over the resident's area."""

from __future__ import annotations

from typing import Any

from gridgov.core.models import Role
from gridgov.core.scoping import scope_of

MANAGER_ROLES = frozenset(
    {Role.ADMIN, Role.STREET_OFFICER, Role.COMMUNITY_SECRETARY, Role.GRID_LEADER}
)


def manages_sos(user: Any) -> bool:
    """Manages SOS somewhere (the console pages open)."""
    scope = scope_of(user)
    return scope.everything or bool(scope.area_codes and scope.roles & MANAGER_ROLES)


def manages_sos_at(user: Any, code: str) -> bool:
    """Manages SOS for the area with this code (its devices, its duty roster)."""
    scope = scope_of(user)
    return scope.everything or bool(scope.roles_at(code) & MANAGER_ROLES)
