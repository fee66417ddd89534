"""Shared plumbing of the smaller sheets (areas, houses, courtyards): one row, one savepoint.

These sheets hold hundreds to a few tens of thousands of rows, so each valid row is written with
the ORM (``save()`` with ``update_fields``), which runs the auditlog signals: the entries get the
importing user through ``auditlog.context.set_actor``. A row the database still refuses is
rejected alone (its savepoint rolls back), the rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gridgov.registry.importing.kinds.base import (
    ImportContext,
    Kind,
    Outcome,
    Row,
    validation_messages,
)


class OrmKind(Kind):
    """A kind whose rows are planned and written one by one by ``upsert``."""

    error_columns: dict[str, str] = {}
    default_error_column: str = ""

    def upsert(self, row: Row, context: ImportContext) -> Outcome:
        """Compare the row with the stored object; write when ``context.write``."""
        raise NotImplementedError

    def apply(self, rows: Sequence[Row], context: ImportContext) -> None:
        with set_actor(context.actor):
            for row in rows:
                if row.rejected:
                    continue
                try:
                    with transaction.atomic():
                        row.outcome = self.upsert(row, context)
                except ValidationError as error:
                    for key, message in validation_messages(
                        error, self.error_columns, self.default_error_column
                    ):
                        row.fail(key, message)
                except PermissionDenied:
                    row.fail(
                        self.default_error_column,
                        _("The area of this row is outside the areas you may change."),
                    )
                except IntegrityError:
                    row.fail(
                        self.default_error_column,
                        _("The database refused this row: it clashes with a stored record."),
                    )


def set_changed(obj: Any, changes: dict[str, Any]) -> list[str]:
    for name, value in changes.items():
        setattr(obj, name, value)
    return list(changes)
