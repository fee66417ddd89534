"""The few statements every request runs, compiled by Django once per connection.

Django compiles a queryset into SQL each time it runs, and builds an INSERT each time a row is
saved. On the statements that every report and every API call runs (the token's look-up, the
user's roles, the new case and its first timeline line), compiling cost ten times as much as
running: 540 µs against 43 µs for the token's look-up on this project's 2-core test machine.

Here the ORM still writes the SQL, chooses the converters and prepares every value through the
model's fields; it only does so once per database connection and statement. Only plain equality
parameters of type ``str`` or ``int`` can vary between runs (``Param``); anything else is fixed
when the query is compiled.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.models import signals
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

M = TypeVar("M", bound=models.Model)

_CACHE_ATTRIBUTE = "_gridgov_compiled"
_serial = itertools.count(1)


class Param:
    """Where a run's value goes. ``Param("key_hash")`` for a text, ``Param("user", int)`` for a
    number: while compiling it stands in as a value no real parameter has."""

    def __init__(self, name: str, kind: type = str) -> None:
        if kind not in (str, int):
            raise TypeError("a Param is a str or an int")
        self.name = name
        self.kind = kind

    def stand_in(self, number: int) -> str | int:
        return (
            f"\x00gridgov-param-{number}:{self.name}\x00"
            if self.kind is str
            else -(10**15 + number)
        )


@dataclass(frozen=True)
class _Prepared:
    sql: str
    slots: tuple[tuple[str | None, Any], ...]  # (parameter name, None) or (None, fixed value)
    compiler: Any
    converters: dict
    model: type[models.Model] | None  # set for querysets of model instances
    init_list: tuple[str, ...]
    model_slice: slice
    populators: list


class CompiledQuery(Generic[M]):
    """A queryset built once (with ``Param`` where values vary), run many times.

    ``build`` gets a function ``p(name, kind=str)`` and returns the queryset, for example::

        TOKEN = CompiledQuery(lambda p: ApiToken.objects.filter(key_hash=p("key_hash"))[:1])
        token = TOKEN.first(key_hash=...)

    Querysets of model instances (with ``select_related``) and ``values_list()`` are supported.
    """

    def __init__(self, build: Callable[[Callable[..., Any]], models.QuerySet]) -> None:
        self._build = build
        self._key = next(_serial)

    def _prepare(self, connection: Any) -> _Prepared:
        cache = connection.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
        prepared = cache.get(self._key)
        if prepared is not None:
            return prepared
        params: dict[Any, str] = {}
        numbers = itertools.count(1)

        def p(name: str, kind: type = str) -> Any:
            value = Param(name, kind).stand_in(next(numbers))
            params[value] = name
            return value

        queryset = self._build(p)
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        sql, values = compiler.as_sql()
        slots = tuple(
            (params[value], None) if _hashable(value) and value in params else (None, value)
            for value in values
        )
        found = [name for name, _value in slots if name is not None]
        if sorted(found) != sorted(params.values()):
            # A lookup that changes its value (startswith, in, a transform) cannot be reused.
            raise ValueError(f"each Param must be used once in a plain equality: {found}")
        columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(columns)
        model = None
        init_list: tuple[str, ...] = ()
        model_slice = slice(0)
        populators: list = []
        if queryset._iterable_class is ModelIterable:
            klass_info = compiler.klass_info
            fields = klass_info["select_fields"]
            model_slice = slice(fields[0], fields[-1] + 1)
            init_list = tuple(column[0].target.attname for column in compiler.select[model_slice])
            model = klass_info["model"]
            populators = get_related_populators(klass_info, compiler.select, connection.alias)
            if compiler.annotation_col_map:
                raise ValueError("annotations are not supported")
        elif queryset._iterable_class is not ValuesListIterable or query.annotation_select:
            raise ValueError("only querysets of models or of values_list() (fields only)")
        prepared = _Prepared(
            sql, slots, compiler, converters, model, init_list, model_slice, populators
        )
        cache[self._key] = prepared
        return prepared

    def _run(self, using: str | None, values: dict[str, Any]) -> tuple[_Prepared, list[tuple]]:
        connection = connections[using or DEFAULT_DB_ALIAS]
        prepared = self._prepare(connection)
        params = [values[name] if name is not None else fixed for name, fixed in prepared.slots]
        with connection.cursor() as cursor:
            cursor.execute(prepared.sql, params)
            rows = cursor.fetchall()
        if prepared.converters:
            rows = list(prepared.compiler.apply_converters(rows, prepared.converters))
        return prepared, rows

    def rows(self, using: str | None = None, **values: Any) -> list[tuple]:
        """The rows as tuples (a ``values_list()`` queryset's columns, in its order)."""
        prepared, rows = self._run(using, values)
        if prepared.model is not None:
            raise TypeError("this query returns model instances: use .instances()")
        return [tuple(row) for row in rows]

    def instances(self, using: str | None = None, **values: Any) -> list[M]:
        """The model instances, with their ``select_related`` objects, as the queryset gives."""
        prepared, rows = self._run(using, values)
        if prepared.model is None:
            raise TypeError("this query returns tuples: use .rows()")
        alias = prepared.compiler.connection.alias
        objects = []
        for row in rows:
            obj = prepared.model.from_db(alias, prepared.init_list, row[prepared.model_slice])
            for populator in prepared.populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects

    def first(self, using: str | None = None, **values: Any) -> M | None:
        found = self.instances(using, **values)
        return found[0] if found else None


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _insert_statement(meta: Any, connection: Any, returning: bool = True) -> tuple[str, list, Any]:
    """(INSERT with RETURNING of the id unless ``returning`` is false, the fields it writes, the
    id field), kept per connection."""
    cache = connection.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    key = ("insert", meta.label, returning)
    prepared = cache.get(key)
    if prepared is None:
        quote = connection.ops.quote_name
        fields = [
            field
            for field in meta.local_concrete_fields
            if field is not meta.auto_field and not getattr(field, "generated", False)
        ]
        auto = meta.auto_field
        sql = (
            f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 # nosec B608 # names from the meta
            f"({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
            + (f" RETURNING {quote(auto.column)}" if returning and auto is not None else "")
        )
        prepared = (sql, fields, auto)
        cache[key] = prepared
    return prepared


@functools.cache
def _relations(meta: Any) -> tuple:
    """The relations among a model's columns (an INSERT writes them all)."""
    return tuple(f for f in meta.local_concrete_fields if f.is_relation)


def _check_new(obj: models.Model) -> None:
    meta = obj._meta
    if meta.parents or meta.proxy or not obj._state.adding:
        raise ValueError("insert() writes new rows of plain models only")


# Django's own fields that may give a value of exactly this type to the database unchanged: a
# text to a CharField or TextField, a bool to a BooleanField, an int or a float to theirs.
# Subclasses (ours encrypt) are not in it: only these exact classes. Each pair is kept for a
# connection only if its backend gives a probe back unchanged (Django wraps ints in psycopg's
# sized types on PostgreSQL, so those go through their field there).
_AS_IS: dict[type, type] = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.FloatField: float,
}
_PROBES: dict[type, Any] = {str: "probe", bool: True, int: 7, float: 0.5}


def as_is(connection: Any) -> dict[type, type]:
    """The pairs of ``_AS_IS`` this connection's backend leaves unchanged."""
    cache = connection.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    found = cache.get("as-is")
    if found is None:
        found = {}
        for kind, python_type in _AS_IS.items():
            probe = _PROBES[python_type]
            prepared = kind().get_db_prep_save(probe, connection=connection)
            if type(prepared) is python_type and prepared == probe:
                found[kind] = python_type
        cache["as-is"] = found
    return found


def _prepared_values(
    obj: models.Model, fields: list, connection: Any, alias: str, signal: bool = True
) -> list:
    """Each field's value for the INSERT, after the ``pre_save`` signal (unless ``signal`` is
    false, as for ``bulk_create``), as ``save()`` has it."""
    if signal:
        signals.pre_save.send(
            sender=type(obj), instance=obj, raw=False, using=alias, update_fields=None
        )
    params = []
    plain = as_is(connection)
    for field in fields:
        value = field.pre_save(obj, True)
        # None is written NULL, as every field of Django's and ours prepares it, and the plain
        # values above as they are: asking each field cost a report a tenth of its time.
        if value is None or plain.get(type(field)) is type(value):
            params.append(value)
            continue
        if hasattr(value, "resolve_expression"):
            raise ValueError(f"{obj._meta.label}.{field.name}: expressions need save()")
        params.append(field.get_db_prep_save(value, connection=connection))
    return params


def _related_ready(obj: models.Model, relations: list) -> None:
    """``save()``'s check of the related objects (``_prepare_related_fields_for_save``) over
    ``relations`` only: an unsaved one refuses the row; one saved after it was assigned gives
    its new id now."""
    for field in relations:
        if not field.is_cached(obj):
            continue
        related = getattr(obj, field.name, None)
        if related is None:
            continue
        if related.pk is None:
            raise ValueError(
                f"insert() prohibited to prevent data loss due to unsaved related object "
                f"'{field.name}'."
            )
        if getattr(obj, field.attname) in field.empty_values:
            setattr(obj, field.name, related)
        if getattr(related, field.target_field.attname) != getattr(obj, field.attname):
            field.delete_cached_value(obj)


def _stored(obj: models.Model, alias: str) -> None:
    obj._state.adding = False
    obj._state.db = alias


def _saved(obj: models.Model, alias: str) -> None:
    _stored(obj, alias)
    signals.post_save.send(
        sender=type(obj), instance=obj, created=True, update_fields=None, raw=False, using=alias
    )


def insert(obj: M, using: str | None = None) -> M:
    """``obj.save()`` of a new row of a single-table model, with the INSERT's SQL kept per
    connection. Values pass through each field's ``pre_save`` and ``get_db_prep_save`` and the
    ``pre_save``/``post_save`` signals are sent, as ``save()`` does."""
    _check_new(obj)
    cls = type(obj)
    alias = using or router.db_for_write(cls, instance=obj) or "default"
    connection = connections[alias]
    sql, fields, returning = _insert_statement(cls._meta, connection)
    _related_ready(obj, _relations(cls._meta))
    params = _prepared_values(obj, fields, connection, alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning is not None:
            setattr(obj, returning.attname, cursor.fetchone()[0])
    _saved(obj, alias)
    return obj


def insert_many(objs: list[models.Model], using: str | None = None) -> None:
    """``bulk_create(objs)`` of new rows of one single-table model whose ids are not wanted
    back: the kept INSERT run once per row by the driver (``executemany``; psycopg pipelines
    the rows and has PostgreSQL prepare the statement once). Each value passes through its
    field; as with ``bulk_create``, no signal is sent and the objects get no id.

    Django's ``bulk_create`` sends PostgreSQL one array per column (``UNNEST``). For the
    relay's batch of 100 audit entries, building those arrays' text and the statement cost
    more than a third of the relay's CPU."""
    if not objs:
        return
    cls = type(objs[0])
    if any(type(obj) is not cls for obj in objs):
        raise ValueError("insert_many() writes rows of one model")
    alias = using or router.db_for_write(cls, instance=objs[0]) or "default"
    connection = connections[alias]
    sql, fields, _auto = _insert_statement(cls._meta, connection, returning=False)
    relations = _relations(cls._meta)
    rows = []
    for obj in objs:
        _check_new(obj)
        _related_ready(obj, relations)
        rows.append(_prepared_values(obj, fields, connection, alias, signal=False))
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for obj in objs:
        _stored(obj, alias)


@dataclass
class NewRow:
    """One new row of ``insert_together``: ``obj``, with ``sql`` giving some of its fields (by
    name) an SQL expression in place of their value. An expression may read the id of an earlier
    row of the list as ``{row_N}`` (N its place, from 0) and the clauses of ``before``."""

    obj: models.Model
    sql: dict[str, str] = dataclass_field(default_factory=dict)


def _row_shape(row: NewRow, connection: Any) -> tuple[list, Any, list, tuple, list]:
    """(the fields written, the id field, those given by expressions, per field whether a
    parameter gives it, the relations among those), per model."""
    meta = row.obj._meta
    cache = connection.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    key = ("together-row", meta.label, tuple(sorted(row.sql)))
    found = cache.get(key)
    if found is None:
        _sql, fields, returning = _insert_statement(meta, connection)
        if returning is None:
            raise ValueError(f"{meta.label} has no id to give")
        given = [f for f in fields if f.name in row.sql]
        if len(given) != len(row.sql):
            raise ValueError(f"{meta.label} has no such fields: {sorted(row.sql)}")
        written = tuple(f not in given for f in fields)  # by a parameter, not an expression
        relations = [f for f in _relations(meta) if f.name not in row.sql]
        found = (fields, returning, given, written, relations)
        cache[key] = found
    return found


def _together_statement(
    rows: list[NewRow], before: str, nulls: tuple[frozenset, ...], connection: Any
) -> str:
    """The statement of ``insert_together``, kept per connection. Fields whose value is None
    (``nulls``, per row) are written NULL in the text: fewer parameters, and psycopg caches its
    parsing of a statement of at most 50."""
    cache = connection.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    key = (
        "together",
        before,
        tuple((r.obj._meta.label, tuple(sorted(r.sql.items()))) for r in rows),
        nulls,
    )
    found = cache.get(key)
    if found is not None:
        return found
    quote = connection.ops.quote_name
    clauses = [before] if before else []
    names: dict[str, str] = {}
    for n, (row, empty) in enumerate(zip(rows, nulls, strict=True)):
        fields, returning, given, _written, _relations = _row_shape(row, connection)
        slots = [
            row.sql[f.name].format(**names) if f in given else "NULL" if f.name in empty else "%s"
            for f in fields
        ]
        back = [quote(returning.column)] + [quote(f.column) for f in given]
        names[f"row_{n}"] = f"(SELECT {back[0]} FROM row_{n})"  # noqa: S608 # nosec B608
        clauses.append(
            f"row_{n} AS (INSERT INTO {quote(row.obj._meta.db_table)} "  # noqa: S608 # nosec B608 # names from the meta
            f"({', '.join(quote(f.column) for f in fields)}) VALUES ({', '.join(slots)}) "
            f"RETURNING {', '.join(back)})"
        )
    tables = ", ".join(f"row_{n}" for n in range(len(rows)))
    statement = f"WITH {', '.join(clauses)} SELECT * FROM {tables}"  # noqa: S608 # nosec B608
    cache[key] = statement
    return statement


def insert_together(
    rows: list[NewRow],
    *,
    before: str = "",
    before_params: list | tuple = (),
    using: str = "default",
) -> list[tuple]:
    """New rows of several tables in one PostgreSQL statement (data-modifying ``WITH`` clauses):
    in autocommit, one round trip, and a transaction by itself. ``before`` is a first clause
    (``name AS (...)``, its parameters ``before_params``) that the expressions may read.

    Each value passes through its field and the save signals are sent, as ``insert`` does; each
    row gets its id. Returns, per row, the values its expressions gave.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise ValueError("insert_together() needs PostgreSQL's data-modifying WITH")
    shapes = [_row_shape(row, connection) for row in rows]
    params: list = list(before_params)
    nulls = []
    for row, (fields, _returning, _given, written, relations) in zip(rows, shapes, strict=True):
        _check_new(row.obj)
        # A field given by an expression (such as an earlier row's id) is not checked for an
        # unsaved related object: the statement gives its value.
        _related_ready(row.obj, relations)
        values = _prepared_values(row.obj, fields, connection, using)
        empty = []
        for target, plain, value in zip(fields, written, values, strict=True):
            if plain:
                if value is None:
                    empty.append(target.name)
                else:
                    params.append(value)
        nulls.append(frozenset(empty))
    statement = _together_statement(rows, before, tuple(nulls), connection)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        result = cursor.fetchone()
    given_values = []
    at = 0
    for row, (_fields, returning, given, _written, _relations) in zip(rows, shapes, strict=True):
        setattr(row.obj, returning.attname, result[at])
        values = tuple(result[at + 1 : at + 1 + len(given)])
        for target, value in zip(given, values, strict=True):
            setattr(row.obj, target.attname, value)
        at += 1 + len(given)
        given_values.append(values)
    for row in rows:
        _saved(row.obj, using)
    return given_values
