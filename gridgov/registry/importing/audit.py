"""Audit entries for rows written in bulk: one django-auditlog LogEntry per created or updated row.

They look like the entries the auditlog signals write for ``save()``: the same ``changes`` shape
(``{field: [old, new]}`` as strings, ``"None"`` for nothing), encrypted fields fully masked and
blind indexes left out, as ``gridgov.core.audit.audited`` registers them. Tags are recorded on the
resident's own entry (``"tags": [old, new]``) rather than as one entry per tag row. Every entry of
one import shares a correlation id (``cid``) and names the import in ``additional_data``.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.encoding import smart_str

from gridgov.core.audit import FULL_MASK
from gridgov.core.fields import BlindIndexField, EncryptedField
from gridgov.registry.importing.sql import Statement

NONE = "None"


def audit_text(field: models.Field, value: Any) -> str:
    """A value as auditlog writes it in ``changes``."""
    if isinstance(field, EncryptedField):
        return FULL_MASK
    if value is None:
        return NONE
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value, datetime.UTC)
        return str(value)
    if isinstance(value, models.Model):
        return smart_str(value.pk)
    return smart_str(value)


def audited_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not isinstance(f, BlindIndexField)]


def creation_changes(instance: models.Model, fields: Sequence[models.Field]) -> dict[str, list]:
    """``changes`` of a created row: every field that was given a value, as auditlog writes
    them (``[old, new]`` strings; encrypted fields fully masked)."""
    global _last_stamp
    values = instance.__dict__
    changes: dict[str, list] = {}
    for field, name, attname, encrypted in _plan(tuple(fields)):
        value = values.get(attname)
        if value is None or value == "":
            continue
        if encrypted:
            changes[name] = [FULL_MASK, FULL_MASK]
        elif type(value) is str:
            changes[name] = [NONE, value]
        elif isinstance(value, str):
            changes[field.name] = [NONE, str(value)]  # str() of a TextChoices member is its value
        elif isinstance(value, datetime.datetime):
            # A batch shares one timestamp: rendered once.
            if _last_stamp[0] is not value:
                _last_stamp = (value, audit_text(field, value))
            changes[field.name] = [NONE, _last_stamp[1]]
        else:
            changes[field.name] = [NONE, audit_text(field, value)]
    return changes


_last_stamp: tuple[Any, str] = (None, "")


@functools.lru_cache(maxsize=16)
def _plan(fields: tuple[models.Field, ...]) -> tuple[tuple[models.Field, str, str, bool], ...]:
    # Worked out once per model: an import calls creation_changes for every row.
    return tuple((f, f.name, f.attname, isinstance(f, EncryptedField)) for f in fields)


class AuditBatch:
    """Collects entries for one batch and writes them with one ``executemany``.

    The entries are written by ``Statement`` (``executemany``; every value still prepared by its
    field, the JSON columns included) rather than ``LogEntry.objects.bulk_create``: on SQLite
    bulk_create runs at a few per cent of a raw insert (DESIGN.md), and an import writes one entry
    per row.
    """

    _statement: Statement | None = None

    def __init__(self, *, actor: Any, cid: str, additional: dict[str, Any]) -> None:
        self.actor = actor
        self.actor_email = getattr(actor, "email", None) or None
        self.cid = cid
        self.additional = additional
        self.actor_id = getattr(actor, "pk", None)
        self.entries: list[dict[str, Any]] = []
        self.now = timezone.now()

    def add(
        self, instance: models.Model, action: int, changes: dict[str, list], **extra: Any
    ) -> None:
        self.entries.append(
            {
                "content_type_id": ContentType.objects.get_for_model(type(instance)).pk,
                "object_pk": str(instance.pk),
                "object_id": instance.pk if isinstance(instance.pk, int) else None,
                "object_repr": smart_str(instance),
                "serialized_data": None,
                "action": action,
                "changes_text": "",
                "changes": changes,
                "actor_id": self.actor_id,
                "actor_email": self.actor_email,
                "cid": self.cid,
                "remote_addr": None,
                "remote_port": None,
                "timestamp": self.now,
                "additional_data": {**self.additional, **extra},
            }
        )

    def write(self) -> None:
        if AuditBatch._statement is None:
            AuditBatch._statement = Statement(LogEntry)
        statement = AuditBatch._statement
        statement.execute(statement.rows_from_values(self.entries))
        self.entries = []
