"""What every kind of sheet provides to the runner: columns, parsing, planning and writing."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from gridgov.registry.importing.areas import AreaResolver
from gridgov.registry.importing.audit import AuditBatch
from gridgov.registry.importing.columns import ChoiceMap, Column, HeaderMap


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass(eq=False)
class Row:
    """One data row of the sheet on its way through parse → plan → write."""

    number: int  # Excel's row number
    cells: list[str]  # the original cells, as text, in the file's order
    values: dict[str, str]  # by column key
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column key, reason)
    data: Any = None  # what the kind parsed
    outcome: Outcome | None = None
    target: Any = None  # the existing object, when there is one
    target_key: Any = None  # what matches it in the register (a blind index, a code…)
    changes: dict[str, Any] = field(default_factory=dict)

    def fail(self, key: str, message: str | Promise) -> None:
        self.errors.append((key, str(message)))

    @property
    def rejected(self) -> bool:
        return bool(self.errors)


@dataclass
class ImportContext:
    """State of one run, shared by all batches."""

    actor: Any
    headers: HeaderMap
    areas: AreaResolver
    write: bool
    audit_cid: str
    audit_data: dict[str, Any]
    seen: dict[Any, int] = field(default_factory=dict)  # duplicate key → first row number
    today: datetime.date = field(default_factory=timezone.localdate)
    cache: dict[str, Any] = field(default_factory=dict)

    def audit(self) -> AuditBatch:
        return AuditBatch(actor=self.actor, cid=self.audit_cid, additional=self.audit_data)

    def present(self, row: Row, key: str) -> bool:
        """The cell of ``key`` holds something: a blank cell never clears a stored value."""
        return bool(row.values.get(key))


class Kind:
    """One kind of exchange sheet (areas, residents, houses, courtyards)."""

    name: ClassVar[str]
    label: ClassVar[str | Promise]
    sheet_name: ClassVar[str]  # the data sheet's name in the template (fixed Chinese)
    columns: ClassVar[tuple[Column, ...]]
    model: ClassVar[type[models.Model]]
    exportable: ClassVar[bool] = True

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def header(self, key: str) -> str:
        return self.column(key).header

    # --- import -----------------------------------------------------------------------------
    def check_actor(self, actor: Any) -> str | None:
        """A reason the actor may not import this kind at all, or None."""
        return None

    def parse(self, row: Row, context: ImportContext) -> None:
        """Validate one row without touching the database beyond cached look-ups."""
        raise NotImplementedError

    def apply(self, rows: Sequence[Row], context: ImportContext) -> None:
        """Plan each valid row against the database (create, update, unchanged or rejected) and,
        when ``context.write``, write them. Runs inside the batch's transaction."""
        raise NotImplementedError

    # --- export -----------------------------------------------------------------------------
    def export_rows(self, user: Any) -> Iterator[list[Any]]:
        raise NotImplementedError

    # --- helpers for the kinds ----------------------------------------------------------------
    def choice(self, row: Row, key: str, default: str = "") -> str:
        text = row.values.get(key, "")
        if not text:
            return default
        column = self.column(key)
        assert column.choices is not None
        value = column.choices.parse(text)
        if value is None:
            row.fail(key, not_allowed(text, column.choices))
            return default
        return value

    def duplicate(self, row: Row, context: ImportContext, key: Any, column: str) -> bool:
        """Record ``key`` as seen; reject the row when an earlier row had it."""
        first = context.seen.setdefault(key, row.number)
        if first != row.number:
            row.fail(
                column,
                _("Row %(row)d of this file has the same %(column)s.")
                % {"row": first, "column": self.header(column)},
            )
            return True
        return False


def not_allowed(text: str, choices: ChoiceMap) -> str:
    return _("“%(value)s” is not one of: %(allowed)s.") % {
        "value": text,
        "allowed": choices.allowed(),
    }


def validation_messages(error: ValidationError, key_for: dict[str, str], default: str) -> list:
    """(column key, message) pairs of a ValidationError raised by a service."""
    pairs: list[tuple[str, str]] = []
    if hasattr(error, "error_dict"):
        for field_name, messages in error.message_dict.items():
            for message in messages:
                pairs.append((key_for.get(field_name, default), message))
    else:
        pairs.extend((default, message) for message in error.messages)
    return pairs
