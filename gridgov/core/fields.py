"""Model fields for personal identifiers: encrypted at rest, looked up through a blind index.

Usage::

    class Resident(models.Model):
        uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
        id_number = EncryptedField(kind="id_number", blind_index="id_number_index")
        id_number_index = BlindIndexField()

    Resident.objects.filter(id_number_index=lookup_index(Resident, "id_number", "1101..."))

The attribute holds the plaintext in memory; the column holds only ciphertext bound to the row's
``uid`` (the associated data), so a value copied into another row fails to decrypt.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from gridgov.core import crypto
from gridgov.core.identifiers import normalise_id_number, normalise_phone
from gridgov.core.masking import mask

NORMALISERS = {
    "id_number": normalise_id_number,
    "phone": normalise_phone,
    "name": str.strip,
    "text": str.strip,
}


_LOADED = "_gridgov_decrypted"


class _Ciphertext(str):
    """A value as read from the database: still encrypted, decrypted on first access."""


class _EncryptedDescriptor(DeferredAttribute):
    """Decrypts on first read. A data descriptor (it has ``__set__``), so that reads always pass
    through ``__get__`` instead of the instance dict; deferred columns (``.only()``/``.defer()``)
    are loaded as Django's own descriptor does, instead of reading as None."""

    field: EncryptedField

    def __get__(self, instance: Any, cls: type | None = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, _Ciphertext):
            aad = self.field.associated_data(instance)
            plain = crypto.decrypt(value, aad)
            instance.__dict__[self.field.attname] = plain
            # Remembered so that saving the row with this value unchanged keeps the stored
            # ciphertext (and its blind index) instead of writing a fresh one on every save.
            instance.__dict__.setdefault(_LOADED, {})[self.field.attname] = (str(value), aad, plain)
            value = plain
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.TextField):
    """A text value encrypted with the platform's field key; see the module docstring."""

    descriptor_class = _EncryptedDescriptor

    def __init__(
        self,
        *args: Any,
        kind: str = "text",
        blind_index: str | None = None,
        row_key: str = "uid",
        **kwargs: Any,
    ) -> None:
        if kind not in NORMALISERS:
            raise ValueError(f"unknown kind {kind!r}")
        self.kind = kind
        self.blind_index = blind_index
        self.row_key = row_key
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        if self.row_key != "uid":
            kwargs["row_key"] = self.row_key
        return name, path, args, kwargs

    def associated_data(self, instance: models.Model) -> str:
        row = getattr(instance, self.row_key)
        if row in (None, ""):
            raise ValueError(f"{type(instance).__name__}.{self.row_key} must be set to encrypt")
        return f"{self.model._meta.label_lower}.{self.name}:{row}"

    def normalise(self, value: str) -> str:
        return NORMALISERS[self.kind](value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return _Ciphertext(value)

    def stored_ciphertext(self, instance: models.Model) -> str | None:
        """The ciphertext as loaded from the database, if the value was not read or set since."""
        raw = instance.__dict__.get(self.attname)
        return str(raw) if isinstance(raw, _Ciphertext) else None

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        raw = model_instance.__dict__.get(self.attname)
        if isinstance(raw, _Ciphertext):
            # Never read since loading: keep the stored ciphertext and index. (Copying a loaded
            # row to a new uid without reading the value writes a ciphertext that fails to
            # decrypt there: safe, and the reason copies must read the value first.)
            return str(raw)
        plain = getattr(model_instance, self.attname)
        loaded = model_instance.__dict__.get(_LOADED, {}).get(self.attname)
        if (
            loaded is not None
            and loaded[2] == plain
            and loaded[1] == self.associated_data(model_instance)
        ):
            return loaded[0]  # read but unchanged, same row: keep the stored ciphertext
        if self.blind_index:
            setattr(
                model_instance,
                self.blind_index,
                lookup_value(self, plain) if plain else "",
            )
        if plain in (None, ""):
            return plain
        return crypto.encrypt(str(plain), self.associated_data(model_instance))

    def get_prep_value(self, value: Any) -> Any:
        # A plain value never reaches a query: only pre_save's ciphertext is written, and lookups
        # go through the blind index. Filtering on this column directly is refused.
        if value in (None, ""):
            return value
        if isinstance(value, str) and value.startswith(crypto.PREFIX + ":"):
            return value
        raise TypeError(
            f"{self.model.__name__}.{self.name} is encrypted: filter on its blind index instead"
        )

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisers (dumpdata, the audit log) get the masked value, never the plaintext.
        return mask(getattr(obj, self.attname), self.kind)

    def masked(self, instance: models.Model) -> str:
        return mask(getattr(instance, self.attname), self.kind)


class ExactCharField(models.CharField):
    """A text column only ever compared whole (``=``, ``IN``), never with ``LIKE``.

    On PostgreSQL, Django gives every indexed ``varchar`` a second index with
    ``varchar_pattern_ops`` for ``LIKE 'abc%'``; for a digest, a key or a code that index is
    never read and every insert still writes it. gridgov's PostgreSQL backend leaves it out for
    these fields (``gridgov/core/postgresql/schema.py``)."""

    exact_match_only = True


class BlindIndexField(ExactCharField):
    """Keyed HMAC of the companion encrypted field, for exact search; indexed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


def lookup_value(field: EncryptedField, plain: str) -> str:
    """The blind index of ``plain`` for this field (normalised first, so lookups match)."""
    purpose = f"{field.model._meta.label_lower}.{field.name}"
    return crypto.blind_index(field.normalise(str(plain)), purpose)


def lookup_index(model: type[models.Model], field_name: str, plain: str) -> str:
    field = model._meta.get_field(field_name)
    if not isinstance(field, EncryptedField):
        raise TypeError(f"{model.__name__}.{field_name} is not an EncryptedField")
    return lookup_value(field, plain)


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, EncryptedField)]
