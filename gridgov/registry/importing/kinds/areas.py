"""Areas (区域): the tree, parents before children, written through the area services."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.areas.models import CODE_LENGTH, Area, AreaLevel, GridType
from gridgov.areas.services import MANAGER_ROLES, area_create, area_update, can_manage_area
from gridgov.registry.importing import labels
from gridgov.registry.importing.columns import ChoiceMap, Column
from gridgov.registry.importing.kinds.base import ImportContext, Outcome, Row
from gridgov.registry.importing.kinds.orm import OrmKind

LEVELS = ChoiceMap(labels.AREA_LEVEL, labels.AREA_LEVEL_ALIASES, AreaLevel.choices)
GRID_TYPES = ChoiceMap(labels.GRID_TYPE, labels.GRID_TYPE_ALIASES, GridType.choices)

COLUMNS = (
    Column(
        "code",
        "区域编码",
        gettext_lazy(
            "Hierarchical code (GB/T 30428.1): county 6 + street 3 + community 3 + grid 3 digits, "
            "micro-grid 2, building 5, unit 2. It starts with the parent's code."
        ),
        required=True,
        text_format=True,
        width=26,
    ),
    Column(
        "name", "名称", gettext_lazy("Unique among the parent's children."), required=True, width=20
    ),
    Column("level", "层级", gettext_lazy("The level of the area."), required=True, choices=LEVELS),
    Column(
        "parent_code",
        "上级编码",
        gettext_lazy("The parent's code; a parent must come before its children in the sheet."),
        required=True,
        text_format=True,
        width=26,
    ),
    Column(
        "grid_type",
        "网格类型",
        gettext_lazy("Blank for a comprehensive grid."),
        choices=GRID_TYPES,
        width=16,
    ),
    Column(
        "polygon",
        "边界(GeoJSON)",
        gettext_lazy("A GeoJSON Polygon or MultiPolygon in WGS-84, inside the parent's boundary."),
        aliases=("边界", "边界GeoJSON"),
        width=40,
    ),
)


class Areas(OrmKind):
    name = "areas"
    label = gettext_lazy("Areas")
    sheet_name = "区域"
    columns = COLUMNS
    model = Area
    error_columns = {
        "code": "code",
        "name": "name",
        "level": "level",
        "polygon": "polygon",
        "parent": "parent_code",
        "grid_type": "grid_type",
    }
    default_error_column = "code"
    exportable = False  # the area tree has its own pages and API

    def check_actor(self, actor: Any) -> str | None:
        from gridgov.core.scoping import scope_of

        scope = scope_of(actor)
        if not (scope.everything or scope.roles & MANAGER_ROLES):
            return _("You may not change the area tree.")
        return None

    def parse(self, row: Row, context: ImportContext) -> None:
        values = row.values
        code = values.get("code", "").replace(" ", "")
        level = self.choice(row, "level")
        grid_type = self.choice(row, "grid_type", GridType.COMPREHENSIVE)
        parent_code = values.get("parent_code", "").replace(" ", "")
        if not values.get("name"):
            row.fail("name", _("This column is required."))
        if not code.isdigit():
            row.fail("code", _("A code is made of digits."))
        elif level and len(code) != CODE_LENGTH[level]:
            row.fail(
                "code", _("A code at this level has %(n)d digits.") % {"n": CODE_LENGTH[level]}
            )
        elif not code.startswith(parent_code):
            row.fail("code", _("A code must start with its parent's code."))
        polygon = None
        if values.get("polygon"):
            try:
                polygon = json.loads(values["polygon"])
            except ValueError:
                row.fail("polygon", _("The boundary is not valid GeoJSON."))
        if row.errors:
            return
        pending = context.cache.setdefault("pending_codes", set())
        parent = Area.objects.filter(code=parent_code).first()
        if parent is None and parent_code not in pending:
            row.fail("parent_code", _("No area has the code %(area)s.") % {"area": parent_code})
            return
        if parent is not None and not can_manage_area(context.actor, parent):
            row.fail(
                "parent_code",
                _("The area %(area)s is outside the areas you work in.") % {"area": parent_code},
            )
            return
        row.data = {
            "code": code,
            "name": values["name"],
            "level": level,
            "parent_code": parent_code,
            "grid_type": grid_type,
            "polygon": polygon,
        }
        if not self.duplicate(row, context, ("area", code), "code"):
            pending.add(code)

    def upsert(self, row: Row, context: ImportContext) -> Outcome:
        data = row.data
        area = Area.objects.filter(code=data["code"]).first()
        if area is None:
            parent = Area.objects.filter(code=data["parent_code"]).first()
            if context.write:
                if parent is None:
                    raise_missing_parent(data["parent_code"])
                area_create(
                    actor=context.actor,
                    parent=parent,
                    name=data["name"],
                    level=data["level"],
                    code=data["code"],
                    grid_type=data["grid_type"],
                    polygon=data["polygon"],
                )
            return Outcome.CREATED
        if area.level != data["level"] or (area.parent and area.parent.code != data["parent_code"]):
            from django.core.exceptions import ValidationError

            raise ValidationError(
                {
                    "code": _(
                        "This code belongs to an area at another level or under another parent."
                    )
                }
            )
        changes: dict[str, Any] = {}
        if data["name"] != area.name:
            changes["name"] = data["name"]
        if context.present(row, "grid_type") and data["grid_type"] != area.grid_type:
            changes["grid_type"] = data["grid_type"]
        if data["polygon"] is not None and not _same_polygon(area.polygon, data["polygon"]):
            changes["polygon"] = data["polygon"]
        if not changes:
            return Outcome.UNCHANGED
        if context.write:
            area_update(actor=context.actor, area=area, **changes)
        return Outcome.UPDATED

    def export_rows(self, user: Any) -> Iterator[list[Any]]:
        raise NotImplementedError


def _same_polygon(stored: Any, given: Any) -> bool:
    if stored is None:
        return False
    from gridgov.areas.polygons import normalised_geojson, parse_polygon

    try:
        return normalised_geojson(parse_polygon(given)) == stored
    except Exception:  # noqa: BLE001 (an invalid polygon is "different"; the service says why)
        return False


def raise_missing_parent(code: str) -> None:
    from django.core.exceptions import ValidationError

    raise ValidationError({"parent": _("No area has the code %(area)s.") % {"area": code}})
