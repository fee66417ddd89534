"""Writes to the area tree: create, edit, move and retire nodes, with their polygon rules.

Views, the API, imports and commands all call these; each runs in one transaction and invalidates
the process's locator when a polygon changed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.locator import locator
from gridgov.areas.models import CODE_LENGTH, LEVEL_ORDER, Area, AreaLevel
from gridgov.areas.polygons import check_polygon, normalised_geojson, parse_polygon
from gridgov.core.models import Role
from gridgov.core.scoping import scope_of

# Roles that may shape the tree below the node they are assigned to.
MANAGER_ROLES = frozenset({Role.ADMIN, Role.STREET_OFFICER, Role.COMMUNITY_SECRETARY})


def can_manage_area(user: Any, area: Area) -> bool:
    """True if ``user`` holds a managing role at ``area`` or one of its ancestors."""
    scope = scope_of(user)
    if scope.everything:
        return True
    if not scope.roles & MANAGER_ROLES:
        return False
    from gridgov.core.models import RoleAssignment

    codes = RoleAssignment.objects.filter(
        user=user, active=True, role__in=MANAGER_ROLES, area__isnull=False
    ).values_list("area__code", flat=True)
    return any(area.code.startswith(code) for code in codes)


def _require_manager(user: Any, area: Area) -> None:
    if not can_manage_area(user, area):
        raise PermissionDenied(_("You may not change this part of the area tree."))


def child_level(parent: Area) -> AreaLevel:
    position = LEVEL_ORDER.index(AreaLevel(parent.level))
    if position + 1 >= len(LEVEL_ORDER):
        raise ValidationError(_("A unit cannot have children."))
    return LEVEL_ORDER[position + 1]


def next_free_code(parent: Area, level: AreaLevel) -> str:
    """The parent's code plus the lowest unused suffix for ``level``."""
    width = CODE_LENGTH[level] - len(parent.code)
    used = {
        code[len(parent.code) :]
        for code in Area.objects.filter(code__startswith=parent.code, level=level).values_list(
            "code", flat=True
        )
        if len(code) == CODE_LENGTH[level]
    }
    for number in range(1, 10**width):
        suffix = f"{number:0{width}d}"
        if suffix not in used:
            return parent.code + suffix
    raise ValidationError(_("This parent has no free codes left at that level."))


def _validated_polygon(
    polygon: Any, *, parent: Area | None, exclude_id: int | None = None
) -> dict | None:
    if polygon in (None, "", {}):
        return None
    geometry = parse_polygon(polygon)
    parent_geometry = None
    siblings: list[tuple[str, Any]] = []
    if parent is not None:
        if parent.polygon:
            parent_geometry = parse_polygon(parent.polygon)
        for sibling in (
            Area.objects.filter(parent=parent, retired_at__isnull=True, polygon__isnull=False)
            .exclude(pk=exclude_id)
            .only("name", "polygon")
        ):
            siblings.append((sibling.name, parse_polygon(sibling.polygon)))
    check_polygon(
        geometry,
        parent=parent_geometry,
        parent_name=parent.name if parent else "",
        siblings=siblings,
    )
    return normalised_geojson(geometry)


def _check_level_and_code(area: Area) -> None:
    try:
        area.full_clean(exclude=["parent", "polygon"], validate_unique=True)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


@transaction.atomic
def area_create(
    *,
    actor: Any,
    parent: Area,
    name: str,
    level: str | None = None,
    code: str | None = None,
    grid_type: str = "comprehensive",
    polygon: Any = None,
) -> Area:
    _require_manager(actor, parent)
    if parent.retired_at is not None:
        raise ValidationError(_("A retired area cannot get new children."))
    level = AreaLevel(level) if level else child_level(parent)
    area = Area(
        parent=parent,
        level=level,
        code=code or next_free_code(parent, level),
        name=name.strip(),
        grid_type=grid_type,
    )
    area.polygon = _validated_polygon(polygon, parent=parent)
    area.clean()
    _check_level_and_code(area)
    area.save()
    if area.polygon:
        transaction.on_commit(locator.invalidate)
    return area


@transaction.atomic
def area_update(
    *,
    actor: Any,
    area: Area,
    name: str | None = None,
    grid_type: str | None = None,
    polygon: Any = ...,
) -> Area:
    """Change name, type or polygon (``polygon=None`` removes it; omitted leaves it)."""
    _require_manager(actor, area)
    area = Area.objects.select_for_update().get(pk=area.pk)
    fields = ["updated_at"]
    if name is not None and name.strip() != area.name:
        area.name = name.strip()
        fields.append("name")
    if grid_type is not None and grid_type != area.grid_type:
        area.grid_type = grid_type
        fields.append("grid_type")
    if polygon is not ...:
        area.polygon = _validated_polygon(polygon, parent=area.parent, exclude_id=area.pk)
        fields.append("polygon")
        transaction.on_commit(locator.invalidate)
    _check_level_and_code(area)
    area.save(update_fields=fields)
    return area


@transaction.atomic
def area_move(*, actor: Any, area: Area, new_parent: Area) -> Area:
    """Move a node (and its subtree) under another parent of the right level; codes follow."""
    _require_manager(actor, area)
    _require_manager(actor, new_parent)
    if new_parent.code.startswith(area.code):
        raise ValidationError(_("An area cannot be moved inside itself."))
    if LEVEL_ORDER.index(AreaLevel(new_parent.level)) >= LEVEL_ORDER.index(AreaLevel(area.level)):
        raise ValidationError(_("The new parent must be above this area's level."))
    if area.polygon:
        _validated_polygon(area.polygon, parent=new_parent, exclude_id=area.pk)
    old_prefix = area.code
    new_prefix = next_free_code(new_parent, AreaLevel(area.level))
    # Saved one by one (a subtree is at most a few hundred nodes) so that each recoding is in the
    # audit log. Longest codes first would not matter: new codes never collide with old ones,
    # because the new prefix is free under the new parent.
    subtree = list(Area.objects.select_for_update().filter(code__startswith=old_prefix))
    for node in subtree:
        node.code = new_prefix + node.code[len(old_prefix) :]
        if node.pk == area.pk:
            node.parent = new_parent
        node.save(update_fields=["code", "parent", "updated_at"])
    transaction.on_commit(locator.invalidate)
    area.refresh_from_db()
    return area


@transaction.atomic
def area_retire(*, actor: Any, area: Area) -> Area:
    """Retire a node and its subtree: kept for history, gone from lists, maps and the locator."""
    _require_manager(actor, area)
    if area.parent_id is None:
        raise ValidationError(_("The root of the tree cannot be retired."))
    now = timezone.now()
    for node in Area.objects.select_for_update().filter(
        code__startswith=area.code, retired_at__isnull=True
    ):
        node.retired_at = now
        node.save(update_fields=["retired_at", "updated_at"])
    transaction.on_commit(locator.invalidate)
    area.refresh_from_db()
    return area
