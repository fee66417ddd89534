"""Houses (房屋): matched on area and address, the model's own uniqueness."""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.registry.importing import labels
from gridgov.registry.importing.columns import ChoiceMap, Column
from gridgov.registry.importing.kinds.base import ImportContext, Outcome, Row
from gridgov.registry.importing.kinds.orm import OrmKind, set_changed
from gridgov.registry.models import House, HouseUse
from gridgov.registry.services import REGISTRY_WRITERS

HOUSE_USES = ChoiceMap(labels.HOUSE_USE, labels.HOUSE_USE_ALIASES, HouseUse.choices)

COLUMNS = (
    Column(
        "area_code",
        "所属区域编码",
        gettext_lazy("The code of the grid, building or unit. Give this or the area name."),
        text_format=True,
        width=18,
    ),
    Column(
        "area_path",
        "所属区域",
        gettext_lazy("The area's name or its path, separated by “/”; used when the code is blank."),
        width=30,
    ),
    Column(
        "address",
        "地址",
        gettext_lazy("The full address; one house per address in an area."),
        required=True,
        width=36,
    ),
    Column("building", "楼栋", gettext_lazy("Building number."), width=8),
    Column("unit", "单元", gettext_lazy("Unit (stairwell)."), width=8),
    Column("room", "房号", gettext_lazy("Room number."), width=8),
    Column(
        "use",
        "用途",
        gettext_lazy("What the house is used for."),
        required=True,
        choices=HOUSE_USES,
    ),
    Column("owner_name", "产权人", gettext_lazy("The owner's name as registered."), width=12),
    Column(
        "floor_area",
        "建筑面积",
        gettext_lazy("In square metres."),
        extra_allowed="0–999999.99",
    ),
)
_TEXT = ("building", "unit", "room", "owner_name")


class Houses(OrmKind):
    name = "houses"
    label = gettext_lazy("Houses")
    sheet_name = "房屋"
    columns = COLUMNS
    model = House
    error_columns = {"address": "address", "area": "area_code", "use": "use"}
    default_error_column = "address"

    def check_actor(self, actor: Any) -> str | None:
        from gridgov.core.scoping import scope_of

        scope = scope_of(actor)
        if not (scope.everything or scope.roles & REGISTRY_WRITERS):
            return _("You may not change the registry.")
        return None

    def parse(self, row: Row, context: ImportContext) -> None:
        values = row.values
        use = self.choice(row, "use")
        found = context.areas.resolve(values.get("area_code", ""), values.get("area_path", ""))
        if found.error:
            row.fail("area_code" if values.get("area_code") else "area_path", found.error)
        address = values.get("address", "")
        if not address:
            row.fail("address", _("The address is required."))
        elif len(address) > 200:
            row.fail("address", _("The address is longer than 200 characters."))
        for key in _TEXT:
            limit = House._meta.get_field(key).max_length
            if len(values.get(key, "")) > limit:
                row.fail(key, _("Longer than %(n)d characters.") % {"n": limit})
        floor_area = None
        if values.get("floor_area"):
            try:
                floor_area = decimal.Decimal(values["floor_area"]).quantize(decimal.Decimal("0.01"))
                if not 0 <= floor_area < 1_000_000:
                    raise decimal.InvalidOperation
            except decimal.InvalidOperation:
                row.fail("floor_area", _("Not a number of square metres."))
        if row.errors:
            return
        row.data = {
            "area": found.area,
            "address": address,
            "use": use,
            "floor_area": floor_area,
            **{key: values.get(key, "") for key in _TEXT},
        }
        self.duplicate(row, context, ("house", found.area.pk, address), "address")

    def upsert(self, row: Row, context: ImportContext) -> Outcome:
        data = row.data
        house = House.objects.filter(area=data["area"], address=data["address"]).first()
        if house is None:
            if context.write:
                House.objects.create(**data)
            return Outcome.CREATED
        changes = {
            key: data[key]
            for key in ("use", "floor_area", *_TEXT)
            if context.present(row, key) and getattr(house, key) != data[key]
        }
        if not changes:
            return Outcome.UNCHANGED
        if context.write:
            house.save(update_fields=[*set_changed(house, changes), "updated_at"])
        return Outcome.UPDATED

    def export_rows(self, user: Any) -> Iterator[list[Any]]:
        houses = House.objects.visible_to(user).select_related("area").order_by("area__code", "id")
        for house in houses.iterator(chunk_size=2000):
            yield [
                house.area.code,
                house.area.name,
                house.address,
                house.building,
                house.unit,
                house.room,
                HOUSE_USES.label(house.use),
                house.owner_name,
                str(house.floor_area) if house.floor_area is not None else "",
            ]
