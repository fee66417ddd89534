"""Columns of an exchange sheet: headers, required or not, allowed values, and header matching.

A sheet's header row is matched leniently (full-width characters, spaces, a ``*`` marking required
columns and a trailing ``(必填)`` are ignored), so that a template filled in by hand still imports.
Columns the importer does not know are ignored; a missing required column rejects the whole file.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from gridgov.registry.importing.labels import LIST_SEPARATORS


class ChoiceMap:
    """Maps what a user typed in a choice column to the model's value.

    Accepted: the exchange label (``流动``), an alias (``流动人口``), the model's value
    (``floating``) and the model's own label in Chinese and in English.
    """

    def __init__(
        self,
        labels: Mapping[str, str],
        aliases: Mapping[str, str] | None = None,
        model_choices: Sequence[tuple[str, Any]] = (),
    ) -> None:
        self.labels = dict(labels)
        self._model_choices = list(model_choices)
        self._aliases = dict(aliases or {})
        self._lookup: dict[str, str] | None = None

    def _build(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for value, label in self._model_choices:
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    lookup[normalise_text(str(label)).lower()] = value
        for alias, value in self._aliases.items():
            lookup[normalise_text(alias).lower()] = value
        for value, label in self.labels.items():
            lookup[normalise_text(label).lower()] = value
            lookup[value.lower()] = value
        return lookup

    def parse(self, text: str) -> str | None:
        """The model value for ``text``, or None when it is not one of the allowed values."""
        if self._lookup is None:
            self._lookup = self._build()
        return self._lookup.get(normalise_text(text).lower())

    def label(self, value: str) -> str:
        return self.labels.get(value, value)

    def allowed(self) -> str:
        return "、".join(self.labels.values())


@dataclass(frozen=True)
class Column:
    """One column of an exchange sheet."""

    key: str
    header: str  # the fixed Chinese header
    help: str | Promise = ""  # what to write, an English msgid shown translated
    required: bool = False
    choices: ChoiceMap | None = None
    many: bool = False  # a list of choices in one cell
    aliases: tuple[str, ...] = ()
    text_format: bool = False  # stored as text in the template (ID numbers, phones, codes)
    width: int = 14
    extra_allowed: str = ""  # the allowed values when they are not a choice list

    def allowed(self) -> str:
        if self.choices is not None:
            prefix = _("Several, separated by commas: ") if self.many else ""
            return prefix + self.choices.allowed()
        return self.extra_allowed


def normalise_text(value: str) -> str:
    """NFKC (full-width digits and letters become ASCII), trimmed, inner spaces kept."""
    return unicodedata.normalize("NFKC", value).strip()


_HEADER_NOISE = re.compile(r"[\s*＊]|[(（]\s*(必填|选填)\s*[)）]")


def normalise_header(value: str) -> str:
    return _HEADER_NOISE.sub("", normalise_text(value))


@dataclass
class HeaderMap:
    """Which position of the sheet holds which column."""

    positions: dict[str, int] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)  # the file's own header texts, in order
    unknown: list[str] = field(default_factory=list)
    missing: list[Column] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)

    def values(self, row: Sequence[str]) -> dict[str, str]:
        width = len(row)
        return {key: (row[i] if i < width else "") for key, i in self.positions.items()}

    def has(self, key: str) -> bool:
        return key in self.positions


def map_headers(columns: Sequence[Column], header_row: Sequence[Any]) -> HeaderMap:
    by_name: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            by_name[normalise_header(name)] = column
    mapping = HeaderMap(headers=[cell_text(cell) for cell in header_row])
    for position, text in enumerate(mapping.headers):
        if not text:
            continue
        column = by_name.get(normalise_header(text))
        if column is None:
            mapping.unknown.append(text)
        elif column.key in mapping.positions:
            mapping.duplicated.append(text)
        else:
            mapping.positions[column.key] = position
    mapping.missing = [c for c in columns if c.required and c.key not in mapping.positions]
    return mapping


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: 13812345678.0 → "13812345678", dates as ISO."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def split_list(text: str) -> list[str]:
    if not text:
        return []
    items = [text]
    for separator in LIST_SEPARATORS:
        items = [part for item in items for part in item.split(separator)]
    return [item.strip() for item in items if item.strip()]


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(text: str) -> datetime.date:
    """``1990-01-02``, ``1990/1/2``, ``1990年1月2日`` or ``19900102``; ValueError otherwise."""
    text = normalise_text(text)
    if " " in text:  # a datetime cell: keep the date
        text = text.split(" ", 1)[0]
    if "T" in text:
        text = text.split("T", 1)[0]
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        raise ValueError(text)
    return datetime.date(int(match[1]), int(match[2]), int(match[3]))
