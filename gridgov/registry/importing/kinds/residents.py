"""Residents (居民): the large sheet, written through the bulk path.

A row is validated by ``resident_clean`` (the same rules as the resident form), its area resolved
within the importer's scope, and matched against the register by the blind index of its ID number
(a row without an ID number is matched on area, name and current address). New residents are
inserted with ``executemany``; changed ones updated column by column; unchanged ones not touched.
A blank cell leaves the stored value as it is: an import fills in and corrects, it never erases.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db.models import DateField, F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.fields import lookup_index
from gridgov.registry.importing import labels
from gridgov.registry.importing.audit import FULL_MASK, audit_text, audited_fields, creation_changes
from gridgov.registry.importing.columns import ChoiceMap, Column, parse_date, split_list
from gridgov.registry.importing.kinds.base import (
    ImportContext,
    Kind,
    Outcome,
    Row,
    validation_messages,
)
from gridgov.registry.importing.sql import Statement
from gridgov.registry.models import (
    DocumentType,
    ResidenceType,
    Resident,
    ResidentTag,
    ResidentTagKind,
    Sex,
)
from gridgov.registry.services import REGISTRY_WRITERS, resident_clean

DOCUMENT_TYPES = ChoiceMap(labels.DOCUMENT_TYPE, labels.DOCUMENT_TYPE_ALIASES, DocumentType.choices)
RESIDENCE_TYPES = ChoiceMap(
    labels.RESIDENCE_TYPE, labels.RESIDENCE_TYPE_ALIASES, ResidenceType.choices
)
TAGS = ChoiceMap(labels.RESIDENT_TAG, labels.RESIDENT_TAG_ALIASES, ResidentTagKind.choices)
SEXES = ChoiceMap(labels.SEX, {"男性": "male", "女性": "female"}, Sex.choices)

COLUMNS = (
    Column("name", "姓名", gettext_lazy("Full name as on the identity document."), required=True),
    Column(
        "document_type",
        "证件类型",
        gettext_lazy("Leave blank for a resident ID card."),
        choices=DOCUMENT_TYPES,
    ),
    Column(
        "id_number",
        "证件号码",
        gettext_lazy(
            "An 18-character ID card number is checked (check character, birth date); a resident "
            "already registered with it is updated, not added twice."
        ),
        text_format=True,
        width=22,
    ),
    Column(
        "phone",
        "联系电话",
        gettext_lazy("An 11-digit mobile number or a landline with its area code."),
        text_format=True,
        width=16,
    ),
    Column(
        "residence_type",
        "人口类型",
        gettext_lazy("Leave blank for registered residents."),
        choices=RESIDENCE_TYPES,
    ),
    Column("household_address", "户籍地址", gettext_lazy("Household register address."), width=30),
    Column("address", "现住址", gettext_lazy("Current address."), width=30),
    Column(
        "area_code",
        "所属区域编码",
        gettext_lazy(
            "The code of the grid (or building) the resident belongs to. Give this or the area name."
        ),
        text_format=True,
        width=18,
    ),
    Column(
        "area_path",
        "所属区域",
        gettext_lazy(
            "The area's name, or its path from the street down, separated by “/”; used when the "
            "code is blank."
        ),
        width=30,
    ),
    Column("tags", "重点人群", gettext_lazy("Special groups."), choices=TAGS, many=True, width=20),
    Column(
        "sex",
        "性别",
        gettext_lazy("Only for documents other than the ID card (the ID card number decides)."),
        choices=SEXES,
        width=8,
    ),
    Column(
        "birth_date",
        "出生日期",
        gettext_lazy("Only for documents other than the ID card, e.g. 1990-01-31."),
        extra_allowed="YYYY-MM-DD",
    ),
    Column("notes", "备注", gettext_lazy("Anything else worth knowing."), width=30),
)

# Field names of resident_clean's errors → the column that holds the value.
_ERROR_COLUMN = {
    "name": "name",
    "area": "area_code",
    "document_type": "document_type",
    "id_number": "id_number",
    "phone": "phone",
    "residence_type": "residence_type",
    "tags": "tags",
}
# Fields compared with the stored resident, by the column that carries them.
_COMPARED = (
    ("name", "name"),
    ("document_type", "document_type"),
    ("residence_type", "residence_type"),
    ("household_address", "household_address"),
    ("address", "address"),
    ("notes", "notes"),
)


def _new_value(field: Any) -> Any:
    if field.null or field.primary_key or isinstance(field, DateField):
        return None
    if field.has_default() and not callable(field.default):
        return field.default
    return ""


# Every concrete field in order, with the value a new resident gets when the sheet says nothing.
_DEFAULTS = [(field.attname, _new_value(field)) for field in Resident._meta.concrete_fields]


class Residents(Kind):
    name = "residents"
    label = gettext_lazy("Residents")
    sheet_name = "居民"
    columns = COLUMNS
    model = Resident

    def check_actor(self, actor: Any) -> str | None:
        scope = self._scope(actor)
        if not (scope.everything or scope.roles & REGISTRY_WRITERS):
            return _("You may not change the registry.")
        return None

    @staticmethod
    def _scope(actor: Any) -> Any:
        from gridgov.core.scoping import scope_of

        return scope_of(actor)

    # --- parse ------------------------------------------------------------------------------
    def parse(self, row: Row, context: ImportContext) -> None:
        values = row.values
        document_type = self.choice(row, "document_type", DocumentType.ID_CARD)
        residence_type = self.choice(row, "residence_type", ResidenceType.REGISTERED)
        sex = self.choice(row, "sex", "")
        tags = [TAGS.parse(label) or label for label in split_list(values.get("tags", ""))]
        birth_date = None
        if values.get("birth_date"):
            try:
                birth_date = parse_date(values["birth_date"])
            except ValueError:
                row.fail("birth_date", _("Not a date: write it as 1990-01-31."))
        area_key = "area_code" if values.get("area_code") else "area_path"
        found = context.areas.resolve(values.get("area_code", ""), values.get("area_path", ""))
        if found.error:
            row.fail(area_key, found.error)
        try:
            data = resident_clean(
                name=values.get("name", ""),
                area=found.area,
                id_number=values.get("id_number", ""),
                phone=values.get("phone", ""),
                document_type=document_type,
                residence_type=residence_type,
                household_address=values.get("household_address", ""),
                address=values.get("address", ""),
                tags=tags,
                notes=values.get("notes", ""),
                sex=sex,
                birth_date=birth_date,
                today=context.today,
            )
        except ValidationError as error:
            for key, message in validation_messages(error, _ERROR_COLUMN, "name"):
                if key == "area_code" and found.error:
                    continue  # the resolver's reason is the more precise one
                row.fail(key, message)
            return
        if (
            birth_date is not None
            and data.document_type == DocumentType.ID_CARD
            and data.id_number
            and birth_date != data.birth_date
        ):
            row.fail("birth_date", _("The birth date does not match the ID card number."))
        if row.errors:
            return
        row.data = data
        if data.id_number:
            row.target_key = lookup_index(Resident, "id_number", data.id_number)
            self.duplicate(row, context, row.target_key, "id_number")
        else:
            row.target_key = None
            key = ("nameless", data.area.pk, data.name, data.address)
            self.duplicate(row, context, key, "name")

    # --- plan and write -----------------------------------------------------------------------
    def apply(self, rows: Sequence[Row], context: ImportContext) -> None:
        rows = [row for row in rows if not row.rejected]
        if not rows:
            return
        existing = self._existing(rows)
        tags_of = self._tags_of([r.pk for r in existing.values()])
        scope = self._scope(context.actor)
        creates: list[Row] = []
        updates: list[Row] = []
        for row in rows:
            data = row.data
            key = row.target_key or ("nameless", data.area.pk, data.name, data.address)
            resident = existing.get(key)
            if resident is None:
                row.outcome = Outcome.CREATED
                creates.append(row)
                continue
            if not (
                scope.everything or any(resident.area_code.startswith(c) for c in scope.area_codes)
            ):
                row.fail(
                    "id_number",
                    _("A resident with this ID number is registered in an area outside yours."),
                )
                continue
            row.target = resident
            row.changes = self._changes(row, resident, tags_of.get(resident.pk, set()), context)
            if row.changes:
                row.outcome = Outcome.UPDATED
                updates.append(row)
            else:
                row.outcome = Outcome.UNCHANGED
        if context.write:
            audit = context.audit()
            self._create(creates, context, audit)
            self._update(updates, tags_of, audit)
            audit.write()

    def _existing(self, rows: Sequence[Row]) -> dict[Any, Resident]:
        found: dict[Any, Resident] = {}
        indexes = [row.target_key for row in rows if row.target_key]
        if indexes:
            for resident in Resident.objects.filter(id_number_index__in=indexes).annotate(
                area_code=F("area__code")
            ):
                found[resident.id_number_index] = resident
        nameless = [row for row in rows if not row.target_key]
        if nameless:
            candidates = Resident.objects.filter(
                id_number_index="",
                area_id__in={row.data.area.pk for row in nameless},
                name__in={row.data.name for row in nameless},
            ).annotate(area_code=F("area__code"))
            for resident in candidates:
                found.setdefault(
                    ("nameless", resident.area_id, resident.name, resident.address), resident
                )
        return found

    @staticmethod
    def _tags_of(resident_ids: list[int]) -> dict[int, set[str]]:
        tags: dict[int, set[str]] = {}
        if resident_ids:
            for resident_id, tag in ResidentTag.objects.filter(
                resident_id__in=resident_ids
            ).values_list("resident_id", "tag"):
                tags.setdefault(resident_id, set()).add(tag)
        return tags

    def _changes(
        self, row: Row, resident: Resident, tags: set[str], context: ImportContext
    ) -> dict[str, Any]:
        """Field → new value, for the cells that hold something different from the register."""
        data = row.data
        changes: dict[str, Any] = {}
        if data.area.pk != resident.area_id:
            changes["area"] = data.area
        for field_name, key in _COMPARED:
            value = getattr(data, field_name)
            if context.present(row, key) and value != getattr(resident, field_name):
                changes[field_name] = value
        if data.sex and data.sex != resident.sex:
            changes["sex"] = data.sex
        if data.birth_date and data.birth_date != resident.birth_date:
            changes["birth_date"] = data.birth_date
        if data.phone and lookup_index(Resident, "phone", data.phone) != resident.phone_index:
            changes["phone"] = data.phone
        if context.present(row, "tags") and set(data.tags) != tags:
            changes["tags"] = (tags, set(data.tags))
        return changes

    def _create(self, rows: list[Row], context: ImportContext, audit: Any) -> None:
        if not rows:
            return
        statement = context.cache.get("resident_insert")
        if statement is None:
            statement = context.cache["resident_insert"] = Statement(Resident)
        residents = []
        for row in rows:
            data = row.data
            values = {
                "uid": uuid.uuid4(),
                "area_id": data.area.pk,
                "name": data.name,
                "document_type": data.document_type,
                "id_number": data.id_number,
                "sex": data.sex,
                "birth_date": data.birth_date,
                "phone": data.phone,
                "residence_type": data.residence_type,
                "household_address": data.household_address,
                "address": data.address,
                "notes": data.notes,
            }
            # Positional construction (what Model.from_db does) is the ORM's fast path.
            resident = Resident(*[values.get(name, default) for name, default in _DEFAULTS])
            resident._state.fields_cache["area"] = data.area
            residents.append(resident)
        statement.write(residents)
        ids = dict(
            Resident.objects.filter(uid__in=[r.uid for r in residents]).values_list("uid", "id")
        )
        tag_rows = []
        fields = context.cache.get("resident_fields")
        if fields is None:
            fields = context.cache["resident_fields"] = audited_fields(Resident)
        for row, resident in zip(rows, residents, strict=True):
            resident.pk = ids[resident.uid]
            row.target = resident
            tag_rows.extend((resident.pk, tag) for tag in row.data.tags)
            changes = creation_changes(resident, fields)
            if row.data.tags:
                changes["tags"] = ["None", ",".join(row.data.tags)]
            audit.add(resident, LogEntry.Action.CREATE, changes, source_row=row.number)
        self._insert_tags(tag_rows, context)

    @staticmethod
    def _insert_tags(tag_rows: list[tuple[int, str]], context: ImportContext) -> None:
        if not tag_rows:
            return
        statement = context.cache.get("tag_insert")
        if statement is None:
            statement = context.cache["tag_insert"] = Statement(ResidentTag)
        statement.execute(tag_rows)

    def _update(self, rows: list[Row], tags_of: dict[int, set[str]], audit: Any) -> None:
        if not rows:
            return
        grouped: dict[tuple[str, ...], list[Resident]] = {}
        removed_tags: list[tuple[int, str]] = []
        added_tags: list[tuple[int, str]] = []
        for row in rows:
            resident: Resident = row.target
            changes: dict[str, list] = {}
            columns: list[str] = []
            for field_name, value in row.changes.items():
                if field_name == "tags":
                    old, new = value
                    removed_tags += [(resident.pk, tag) for tag in sorted(old - new)]
                    added_tags += [(resident.pk, tag) for tag in sorted(new - old)]
                    changes["tags"] = [",".join(sorted(old)) or "None", ",".join(sorted(new))]
                    continue
                field = Resident._meta.get_field(field_name)
                if field_name == "phone":
                    changes["phone"] = [FULL_MASK, FULL_MASK]
                    columns += ["phone", "phone_index"]
                else:
                    changes[field_name] = [
                        audit_text(field, getattr(resident, field.attname)),
                        audit_text(field, value),
                    ]
                    columns.append(field_name)
                setattr(resident, field_name, value)
            if columns:
                key = (*sorted(set(columns)), "updated_at")
                grouped.setdefault(key, []).append(resident)
            audit.add(resident, LogEntry.Action.UPDATE, changes, source_row=row.number)
        for key, residents in grouped.items():
            Statement(Resident, key, update=True).write(residents)
        if removed_tags:
            from django.db import connection

            table = connection.ops.quote_name(ResidentTag._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"DELETE FROM {table} WHERE resident_id = %s AND tag = %s",  # noqa: S608 # nosec B608 # names quoted from our own models, values passed as parameters
                    removed_tags,
                )
        if added_tags:
            Statement(ResidentTag).execute(added_tags)

    # --- export -----------------------------------------------------------------------------
    def export_rows(self, user: Any) -> Iterator[list[Any]]:
        residents = (
            Resident.objects.visible_to(user)
            .filter(moved_out_at__isnull=True)
            .select_related("area")
            .order_by("area__code", "id")
        )
        for chunk in _chunks(residents.iterator(chunk_size=2000), 2000):
            tags: dict[int, list[str]] = {}
            for resident_id, tag in ResidentTag.objects.filter(
                resident_id__in=[r.pk for r in chunk]
            ).values_list("resident_id", "tag"):
                tags.setdefault(resident_id, []).append(tag)
            for resident in chunk:
                yield [
                    resident.name,
                    DOCUMENT_TYPES.label(resident.document_type),
                    Resident._meta.get_field("id_number").masked(resident),
                    Resident._meta.get_field("phone").masked(resident),
                    RESIDENCE_TYPES.label(resident.residence_type),
                    resident.household_address,
                    resident.address,
                    resident.area.code,
                    resident.area.name,
                    ",".join(TAGS.label(t) for t in sorted(tags.get(resident.pk, []))),
                    SEXES.label(resident.sex) if resident.sex else "",
                    resident.birth_date.isoformat() if resident.birth_date else "",
                    resident.notes,
                ]


def _chunks(iterator: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in iterator:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
