"""Who takes hotline calls and imports 12345 transfers: staff with a dispatching role (the case
desk's intake and dispatch work), for the areas they hold it in."""

from __future__ import annotations

from typing import Any

from gridgov.cases.guards import DISPATCHER_ROLES
from gridgov.core.scoping import scope_of


def is_operator(user: Any) -> bool:
    scope = scope_of(user)
    return scope.everything or bool(scope.area_codes and scope.roles & DISPATCHER_ROLES)


def operates_at(user: Any, code: str) -> bool:
    scope = scope_of(user)
    return scope.everything or bool(scope.roles_at(code) & DISPATCHER_ROLES)
