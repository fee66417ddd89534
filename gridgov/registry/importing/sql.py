"""Bulk writes through Django's own connection: ``executemany`` of statements built from ``_meta``.

Measured on SQLite (DESIGN.md): ``bulk_create`` reaches about 4 % of a raw insert, ``executemany``
through Django's connection about 72 %. The values are still prepared by the model's fields
(``pre_save`` then ``get_db_prep_save``), so encryption, blind indexes and the backend's
adaptations are the same as in ``Model.save()``. What is skipped is the per-object ORM machinery
(signals, SQL compilation), which is why callers write their audit entries themselves
(``importing.audit``). Two measured shortcuts, both equivalent to what the fields would do:

- plain ``CharField``/``TextField`` values that are already ``str`` are passed as they are (their
  ``get_db_prep_save`` is ``str(value)``);
- ``auto_now``/``auto_now_add`` fields get one timestamp per batch (set on the instances too),
  instead of one ``timezone.now()`` per row: a batch is written at one instant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connections, models
from django.db.models.fields import Field
from django.utils import timezone

from gridgov.core.fields import EncryptedField

_PLAIN_TEXT = (models.CharField, models.TextField)


def _is_plain_text(field: Field) -> bool:
    kind = type(field)
    if kind in _PLAIN_TEXT:
        return True
    base = kind.__mro__[1]
    return (
        base in _PLAIN_TEXT
        and kind.pre_save is Field.pre_save
        and kind.get_db_prep_save is Field.get_db_prep_save
        and kind.get_db_prep_value is base.get_db_prep_value
        and kind.get_prep_value is base.get_prep_value
    )


def _is_timestamp(field: Field, add: bool) -> bool:
    return bool(
        getattr(field, "auto_now", False) or (add and getattr(field, "auto_now_add", False))
    )


class Statement:
    """An INSERT of ``fields`` (default: every concrete field but an automatic primary key), or an
    UPDATE of ``fields`` by primary key, for ``model``, on the default database."""

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str] | None = None,
        *,
        update: bool = False,
    ) -> None:
        meta = model._meta
        if fields is None:
            chosen = [
                f
                for f in meta.concrete_fields
                if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
            ]
        else:
            chosen = [meta.get_field(name) for name in fields]
        self.model = model
        self.fields = chosen
        self.update = update
        self.add = not update
        connection = connections["default"]
        quote = connection.ops.quote_name
        if update:
            assignments = ", ".join(f"{quote(f.column)} = %s" for f in chosen)
            self.sql = (
                f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608 (names from _meta) # nosec B608
                f"WHERE {quote(meta.pk.column)} = %s"
            )
        else:
            columns = ", ".join(quote(f.column) for f in chosen)
            marks = ", ".join(["%s"] * len(chosen))
            self.sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 # nosec B608 # names quoted from our own models, values passed as parameters
        # Encrypted fields first: their pre_save sets the blind index that another column reads.
        self._order = sorted(
            range(len(chosen)), key=lambda i: not isinstance(chosen[i], EncryptedField)
        )
        self._timestamps = [i for i, f in enumerate(chosen) if _is_timestamp(f, self.add)]

    def _preparers(self, connection: Any) -> list[Callable[[models.Model], Any]]:
        now = timezone.now()
        preparers: list[Callable[[models.Model], Any]] = []
        for index, field in enumerate(self.fields):
            attname = field.attname
            if index in self._timestamps:
                prepared = field.get_db_prep_save(now, connection)

                def stamp(instance: Any, attname: str = attname, prepared: Any = prepared) -> Any:
                    instance.__dict__[attname] = now
                    return prepared

                preparers.append(stamp)
            elif _is_plain_text(field):

                def text(instance: Any, attname: str = attname) -> Any:
                    value = instance.__dict__[attname]
                    return value if value is None or type(value) is str else str(value)

                preparers.append(text)
            else:
                preparers.append(_fast_preparer(field, connection, self.add))
        return preparers

    def rows(self, instances: Iterable[models.Model]) -> list[tuple[Any, ...]]:
        connection = connections["default"]
        preparers = self._preparers(connection)
        order = self._order
        width = len(preparers)
        pk = self.model._meta.pk
        result = []
        for instance in instances:
            row: list[Any] = [None] * width
            for i in order:
                row[i] = preparers[i](instance)
            if self.update:
                row.append(pk.get_db_prep_value(instance.pk, connection))
            result.append(tuple(row))
        return result

    def rows_from_values(self, values: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        """For models whose fields need no instance (no encryption, no auto timestamps).

        A value that is the very object of the previous row (a batch's timestamp, its actor) is
        prepared once; ``None`` of a nullable field and ``int`` of an integer field are what their
        fields would return anyway."""
        connection = connections["default"]
        plans = []
        for field in self.fields:
            if _is_plain_text(field):
                plans.append((field, field.attname, str))
            elif isinstance(field, models.IntegerField | models.ForeignKey) and not isinstance(
                field, models.BooleanField
            ):
                plans.append((field, field.attname, int))
            else:
                plans.append((field, field.attname, None))
        adapt_json = connection.ops.adapt_json_value
        json_columns = {
            i for i, (field, _a, _i) in enumerate(plans) if isinstance(field, models.JSONField)
        }
        last: list[Any] = [object()] * len(plans)
        last_prepared: list[Any] = [None] * len(plans)
        result = []
        for mapping in values:
            row = []
            for i, (field, attname, identity) in enumerate(plans):
                value = mapping[attname]
                if value is None and field.null:
                    row.append(None)
                elif identity is not None and type(value) is identity:
                    row.append(value)
                elif value is last[i]:
                    row.append(last_prepared[i])
                elif i in json_columns:
                    # Straight to the backend's adapter: the field's own chain adds three calls.
                    prepared = adapt_json(value, field.encoder)
                    last[i], last_prepared[i] = value, prepared
                    row.append(prepared)
                else:
                    prepared = field.get_db_prep_save(value, connection)
                    last[i], last_prepared[i] = value, prepared
                    row.append(prepared)
            result.append(tuple(row))
        return result

    def execute(self, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with connections["default"].cursor() as cursor:
                cursor.executemany(self.sql, rows)

    def write(self, instances: Iterable[models.Model]) -> None:
        self.execute(self.rows(instances))


def _fast_preparer(field: Field, connection: Any, add: bool) -> Callable[[models.Model], Any]:
    """A preparer for one column. Keys, numbers, dates and UUIDs skip Django's generic
    ``get_db_prep_save`` chain (several calls a value, most of an import's time once the rows
    are validated); anything else, the encrypted fields included, goes through the field."""
    attname = field.attname
    native_uuid = connection.features.has_native_uuid_field
    if isinstance(field, models.ForeignKey | models.AutoField) or (
        isinstance(field, models.IntegerField) and not isinstance(field, models.BooleanField)
    ):

        def number(instance: Any) -> Any:
            value = instance.__dict__[attname]
            return value if value is None or type(value) is int else int(value)

        return number
    if isinstance(field, models.UUIDField):

        def uuid_value(instance: Any) -> Any:
            value = instance.__dict__[attname]
            if value is None:
                return None
            return value if native_uuid else value.hex

        return uuid_value
    if type(field) is models.DateField and not (field.auto_now or field.auto_now_add):
        adapt = connection.ops.adapt_datefield_value

        def date_value(instance: Any) -> Any:
            value = instance.__dict__[attname]
            return None if value is None else adapt(value)

        return date_value

    def prepare(instance: Any) -> Any:
        return field.get_db_prep_save(field.pre_save(instance, add), connection)

    return prepare
