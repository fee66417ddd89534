"""The one choke point for access to scoped data (Zulip's ``access_*``, NetBox's ``.restrict``).

A user's scope is the union of the subtrees of the areas they are assigned to, plus what was
dispatched to their departments, plus what they own themselves (a resident's own reports).
Every list, detail, export and API endpoint of scoped data goes through ``visible_to``: a query that
forgets it is a bug, and ``tests/core/test_scoping.py`` checks every registered model.

A model opts in by using a queryset derived from ``ScopedQuerySet`` and naming its paths:

- ``scope_area_field``: path to the Area the object belongs to (``""`` for the Area itself);
- ``scope_department_field``: path to a Department the object was dispatched to (optional);
- ``scope_owner_field``: path to the user who owns the object (optional);
- ``scope_q(scope)``: a static method returning an extra ``Q`` (e.g. an EXISTS over a reverse
  relation), OR-ed with the others (optional).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from gridgov.core.models import User

M = TypeVar("M", bound=models.Model)

_CACHE_ATTRIBUTE = "_gridgov_scope"


@dataclass(frozen=True)
class Scope:
    """What one user may see: everything, or these area subtrees, departments and own objects."""

    everything: bool = False
    area_codes: tuple[str, ...] = ()
    department_ids: tuple[int, ...] = ()
    user_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    # Every (role, area code) the user holds, for checks such as "a dispatching role over here".
    role_areas: tuple[tuple[str, str], ...] = ()

    def roles_at(self, code: str) -> set[str]:
        """The roles held at ``code`` or at one of its ancestors."""
        return {role for role, area_code in self.role_areas if code.startswith(area_code)}

    @property
    def empty(self) -> bool:
        return not (self.everything or self.area_codes or self.department_ids)


def scope_of(user: User | Any) -> Scope:
    """The user's scope, computed once per user object (one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    return remember_scope(user, _assignments().rows(user=user.pk))


def remember_scope(
    user: User | Any, assignments: list[tuple[str, str | None, int | None]]
) -> Scope:
    """The scope of ``user`` from their active (role, area code, department) rows, kept on the
    user object for ``scope_of``: for a caller that read the rows along with the user (the API
    token's look-up)."""
    from gridgov.core.models import Role

    roles = frozenset(role for role, _code, _department in assignments)
    everything = user.is_superuser or Role.ADMIN in roles
    # A resident's assignment says where they live (for routing their reports), not what they may
    # see: residents see only what they own.
    codes = _outermost(
        {code for role, code, _dept in assignments if code and role != Role.RESIDENT}
    )
    departments = tuple(sorted({dept for _role, _code, dept in assignments if dept}))
    scope = Scope(
        everything=everything,
        area_codes=codes,
        department_ids=departments,
        user_id=user.pk,
        role_areas=tuple(sorted({(role, code) for role, code, _dept in assignments if code})),
        roles=roles,
    )
    setattr(user, _CACHE_ATTRIBUTE, scope)
    return scope


@functools.cache
def _assignments() -> Any:
    """The user's active (role, area code, department) rows; every signed-in request asks, so the
    query is compiled once (gridgov.core.compiled)."""
    from gridgov.core.compiled import CompiledQuery
    from gridgov.core.models import RoleAssignment

    return CompiledQuery(
        lambda p: RoleAssignment.objects.filter(user=p("user", int), active=True).values_list(
            "role", "area__code", "department_id"
        )
    )


def forget_scope(user: Any) -> None:
    """Drop the cached scope after the user's assignments changed."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def _outermost(codes: set[str]) -> tuple[str, ...]:
    """Drop codes that lie inside another assigned code: the outer subtree already covers them."""
    kept: list[str] = []
    for code in sorted(codes, key=len):
        if not any(code.startswith(outer) for outer in kept):
            kept.append(code)
    return tuple(sorted(kept))


def _scope_q(model: type[models.Model], scope: Scope) -> Q | None:
    area_field = getattr(model._default_manager._queryset_class, "scope_area_field", None)
    department_field = getattr(
        model._default_manager._queryset_class, "scope_department_field", None
    )
    owner_field = getattr(model._default_manager._queryset_class, "scope_owner_field", None)
    condition: Q | None = None

    def add(extra: Q) -> None:
        nonlocal condition
        condition = extra if condition is None else condition | extra

    if area_field is not None and scope.area_codes:
        lookup = f"{area_field}__code__startswith" if area_field else "code__startswith"
        for code in scope.area_codes:
            add(Q(**{lookup: code}))
    if department_field and scope.department_ids:
        add(Q(**{f"{department_field}__in": scope.department_ids}))
    if owner_field and scope.user_id is not None:
        add(Q(**{owner_field: scope.user_id}))
    # A model whose path to its scope is not a plain field (a reverse relation, an EXISTS)
    # gives its own condition.
    extra = getattr(model._default_manager._queryset_class, "scope_q", None)
    if extra is not None:
        extra_condition = extra(scope)  # nosec B610 # a local function named extra, not QuerySet.extra
        if extra_condition is not None:
            add(extra_condition)
    return condition


def visible_to(queryset: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    """The rows of ``queryset`` that ``user`` may see; nothing for anonymous or unassigned users."""
    scope = scope_of(user)
    if scope.everything:
        return queryset
    condition = _scope_q(queryset.model, scope)
    if condition is None:
        return queryset.none()
    return (
        queryset.filter(condition).distinct()
        if _needs_distinct(queryset.model)
        else (queryset.filter(condition))
    )


def _needs_distinct(model: type[models.Model]) -> bool:
    # Only paths through many-valued relations can duplicate rows; the fields we scope on are
    # foreign keys, so no DISTINCT (which would slow every list) unless a model asks for it.
    return bool(getattr(model._default_manager._queryset_class, "scope_distinct", False))


def get_visible_or_404(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """One object the user may see, or 404: an object outside the scope does not exist for them."""
    try:
        return visible_to(queryset, user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


class ScopedQuerySet(models.QuerySet):
    """Base queryset for scoped models: ``Model.objects.visible_to(user)``."""

    scope_area_field: str | None = None
    scope_department_field: str | None = None
    scope_owner_field: str | None = None
    scope_distinct: bool = False

    def visible_to(self, user: Any) -> models.QuerySet:
        return visible_to(self, user)
