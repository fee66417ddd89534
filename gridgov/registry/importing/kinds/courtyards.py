"""Courtyards (院落) and their landlords (房东): matched on the courtyard code; the landlord on the
blind index of the ID number (one landlord, several courtyards)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.areas.geo import to_wgs84
from gridgov.core.fields import lookup_index
from gridgov.core.identifiers import validate_id_number, validate_phone
from gridgov.registry.importing.columns import ChoiceMap, Column
from gridgov.registry.importing.kinds.base import ImportContext, Outcome, Row
from gridgov.registry.importing.kinds.orm import OrmKind, set_changed
from gridgov.registry.models import Courtyard, Landlord
from gridgov.registry.services import REGISTRY_WRITERS

CRS_CHOICES = ChoiceMap(
    {"wgs84": "WGS-84", "gcj02": "GCJ-02"},
    {"GPS": "wgs84", "高德": "gcj02", "腾讯": "gcj02", "火星坐标": "gcj02"},
)

COLUMNS = (
    Column(
        "code",
        "院落编码",
        gettext_lazy("The courtyard's code, unique."),
        required=True,
        text_format=True,
    ),
    Column("name", "名称", gettext_lazy("The courtyard's name."), required=True, width=20),
    Column("address", "地址", gettext_lazy("Its address."), required=True, width=36),
    Column(
        "area_code",
        "所属区域编码",
        gettext_lazy("The code of its grid or micro-grid."),
        required=True,
        text_format=True,
        width=18,
    ),
    Column(
        "landlord_name",
        "房东姓名",
        gettext_lazy("Required with the landlord's ID number."),
        width=12,
    ),
    Column(
        "landlord_id_number",
        "房东证件号码",
        gettext_lazy("The landlord's ID card number; a landlord already registered is linked."),
        text_format=True,
        width=22,
    ),
    Column(
        "landlord_phone",
        "房东电话",
        gettext_lazy("A mobile or landline number."),
        text_format=True,
        width=16,
    ),
    Column(
        "rooms",
        "房间数",
        gettext_lazy("Rooms let in the courtyard."),
        extra_allowed="0, 1, 2…",
        width=8,
    ),
    Column("lon", "经度", gettext_lazy("Longitude in degrees."), extra_allowed="73–136"),
    Column("lat", "纬度", gettext_lazy("Latitude in degrees."), extra_allowed="3–54"),
    Column(
        "crs",
        "坐标系",
        gettext_lazy(
            "Blank for WGS-84 (GPS); GCJ-02 for coordinates taken from Chinese phone maps."
        ),
        choices=CRS_CHOICES,
        width=10,
    ),
)


class Courtyards(OrmKind):
    name = "courtyards"
    label = gettext_lazy("Courtyards")
    sheet_name = "院落"
    columns = COLUMNS
    model = Courtyard
    error_columns = {"code": "code", "name": "name", "address": "address", "area": "area_code"}
    default_error_column = "code"

    def check_actor(self, actor: Any) -> str | None:
        from gridgov.core.scoping import scope_of

        scope = scope_of(actor)
        if not (scope.everything or scope.roles & REGISTRY_WRITERS):
            return _("You may not change the registry.")
        return None

    def parse(self, row: Row, context: ImportContext) -> None:
        values = row.values
        for key, limit in (("code", 24), ("name", 100), ("address", 200), ("landlord_name", 64)):
            if len(values.get(key, "")) > limit:
                row.fail(key, _("Longer than %(n)d characters.") % {"n": limit})
        for key in ("code", "name", "address"):
            if not values.get(key):
                row.fail(key, _("This column is required."))
        found = context.areas.by_code(values.get("area_code", ""))
        if found.error:
            row.fail("area_code", found.error)
        landlord = None
        if any(values.get(k) for k in ("landlord_name", "landlord_id_number", "landlord_phone")):
            landlord = {"name": values.get("landlord_name", ""), "id_number": "", "phone": ""}
            if not landlord["name"]:
                row.fail("landlord_name", _("The landlord's name is required."))
            try:
                landlord["id_number"] = validate_id_number(values.get("landlord_id_number", ""))
            except ValidationError as error:
                row.fail("landlord_id_number", error.messages[0])
            if values.get("landlord_phone"):
                try:
                    landlord["phone"] = validate_phone(values["landlord_phone"])
                except ValidationError as error:
                    row.fail("landlord_phone", error.messages[0])
        rooms = 0
        if values.get("rooms"):
            try:
                rooms = int(float(values["rooms"]))
                if rooms < 0 or rooms != float(values["rooms"]):
                    raise ValueError
            except ValueError:
                row.fail("rooms", _("Not a whole number of rooms."))
        lon = lat = None
        crs = self.choice(row, "crs", "wgs84")
        if values.get("lon") or values.get("lat"):
            try:
                lon, lat = float(values.get("lon", "")), float(values.get("lat", ""))
                if not (-180 <= lon <= 180 and -90 <= lat <= 90) or math.isnan(lon + lat):
                    raise ValueError
            except ValueError:
                row.fail("lon", _("Give both longitude and latitude, in degrees."))
            else:
                if crs != "wgs84":
                    x, y = to_wgs84(lon, lat, crs)
                    lon, lat = round(float(x), 7), round(float(y), 7)
        if row.errors:
            return
        row.data = {
            "code": values["code"],
            "name": values["name"],
            "address": values["address"],
            "area": found.area,
            "rooms": rooms,
            "lon": lon,
            "lat": lat,
            "landlord": landlord,
        }
        self.duplicate(row, context, ("courtyard", values["code"]), "code")

    def _landlord(self, row: Row, context: ImportContext) -> Landlord | None:
        data = row.data["landlord"]
        if data is None:
            return None
        index = lookup_index(Landlord, "id_number", data["id_number"])
        landlord = Landlord.objects.filter(id_number_index=index).first()
        if landlord is None:
            landlord = Landlord(area=row.data["area"], **data)
            if context.write:
                landlord.save()
            return landlord
        changes = {}
        if data["name"] != landlord.name:
            changes["name"] = data["name"]
        if data["phone"] and lookup_index(Landlord, "phone", data["phone"]) != landlord.phone_index:
            changes["phone"] = data["phone"]
        if changes and context.areas.in_scope(landlord.area):
            row.changes["landlord"] = True
            if context.write:
                fields = set_changed(landlord, changes)
                if "phone" in fields:
                    fields.append("phone_index")
                landlord.save(update_fields=[*fields, "updated_at"])
        return landlord

    def upsert(self, row: Row, context: ImportContext) -> Outcome:
        data = dict(row.data)
        courtyard = Courtyard.objects.filter(code=data["code"]).select_related("area").first()
        if courtyard is not None and not context.areas.in_scope(courtyard.area):
            raise ValidationError(
                {"code": _("A courtyard with this code is registered in an area outside yours.")}
            )
        landlord = self._landlord(row, context)
        data.pop("landlord")
        if courtyard is None:
            if context.write:
                Courtyard.objects.create(**data, landlord=landlord)
            return Outcome.CREATED
        changes = {
            key: data[key]
            for key in ("name", "address", "area", "rooms", "lon", "lat")
            if (
                context.present(row, key)
                or key == "area"
                or (key == "lat" and data["lat"] is not None)
            )
            and getattr(courtyard, key) != data[key]
        }
        if landlord is not None and courtyard.landlord_id != landlord.pk:
            changes["landlord"] = landlord
        if not changes:
            return Outcome.UPDATED if row.changes.get("landlord") else Outcome.UNCHANGED
        if context.write:
            courtyard.save(update_fields=[*set_changed(courtyard, changes), "updated_at"])
        return Outcome.UPDATED

    def export_rows(self, user: Any) -> Iterator[list[Any]]:
        courtyards = (
            Courtyard.objects.visible_to(user)
            .filter(retired_at__isnull=True)
            .select_related("area", "landlord")
            .order_by("code")
        )
        id_field = Landlord._meta.get_field("id_number")
        phone_field = Landlord._meta.get_field("phone")
        for courtyard in courtyards.iterator(chunk_size=2000):
            landlord = courtyard.landlord
            yield [
                courtyard.code,
                courtyard.name,
                courtyard.address,
                courtyard.area.code,
                landlord.name if landlord else "",
                id_field.masked(landlord) if landlord else "",
                phone_field.masked(landlord) if landlord else "",
                courtyard.rooms,
                courtyard.lon if courtyard.lon is not None else "",
                courtyard.lat if courtyard.lat is not None else "",
                "WGS-84" if courtyard.lon is not None else "",
            ]
