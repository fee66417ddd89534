"""Revealing personal data in full: a permission, a scope check and an audit record, every time.

Pages, exports and the API show ID numbers and phones masked (``110101********1234``,
``138****5678``). Seeing one in full goes through ``personal_data_reveal`` and nothing else:

- the actor holds ``core.reveal_personal_data`` (superusers hold every permission);
- the object is visible to the actor through the scoping function; a model without a scope
  (User) can be revealed only by a superuser;
- the (model, field) pair is on the allow-list: every encrypted field of kind ``id_number`` or
  ``phone`` of an installed app, plus what an app adds with ``register_revealable(Model, "name")``
  in its ``ready()`` (names and free text are not revealable unless asked for);
- an ACCESS entry (who, when, which object, which field, from which address) is written before
  the value is returned. A refusal writes nothing and returns nothing.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404

from gridgov.core.audit import record_access
from gridgov.core.fields import EncryptedField, encrypted_fields
from gridgov.core.scoping import ScopedQuerySet, visible_to

REVEAL_PERMISSION = "core.reveal_personal_data"

# Kinds of encrypted field that are revealable wherever they are declared (in an installed app).
REVEALABLE_KINDS = frozenset({"id_number", "phone"})
# Further pairs, added by apps: model label (lower case) → field names.
_REGISTERED: dict[str, set[str]] = {}
_MODELS: dict[str, type[models.Model]] = {}


def register_revealable(model: type[models.Model] | str, *field_names: str) -> None:
    """Allow ``field_names`` of ``model`` (a model class or ``"app_label.model"``) to be revealed:
    for encrypted fields of other kinds than ID number and phone (names, free text)."""
    if isinstance(model, str):
        label = model.lower()
    else:
        label = model._meta.label_lower
        _MODELS[label] = model
    _REGISTERED.setdefault(label, set()).update(field_names)


def _allowed(label: str) -> set[str]:
    allowed = set(_REGISTERED.get(label, ()))
    model = _MODELS.get(label)
    if model is None:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            return allowed
    allowed.update(f.name for f in encrypted_fields(model) if f.kind in REVEALABLE_KINDS)
    return allowed


def revealable_field(model: type[models.Model], field_name: str) -> EncryptedField:
    """The encrypted field, if the pair is on the allow-list; ``Http404`` otherwise."""
    if field_name not in _allowed(model._meta.label_lower):
        raise Http404
    field = model._meta.get_field(field_name)
    if not isinstance(field, EncryptedField):  # a misconfigured registration
        raise Http404
    return field


def revealable_model(model_label: str) -> type[models.Model]:
    label = model_label.lower()
    if not _allowed(label):
        raise Http404
    return _MODELS.get(label) or apps.get_model(label)


def is_scoped(model: type[models.Model]) -> bool:
    return issubclass(model._default_manager._queryset_class, ScopedQuerySet)


def may_reveal(actor: Any, model: type[models.Model]) -> bool:
    """Whether ``actor`` may reveal fields of ``model`` at all (before the object's scope)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if not actor.has_perm(REVEAL_PERMISSION):
        return False
    return is_scoped(model) or actor.is_superuser


def _visible(instance: models.Model, actor: Any) -> bool:
    model = type(instance)
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if not is_scoped(model):
        return bool(actor.is_superuser)
    return visible_to(model._default_manager.all(), actor).filter(pk=instance.pk).exists()


def revealable_object_or_404(*, model_label: str, pk: Any, field_name: str, actor: Any) -> Any:
    """Selector for the reveal view: the object, if the pair is allowed and the actor sees it."""
    model = revealable_model(model_label)
    revealable_field(model, field_name)
    if not is_scoped(model):
        if not getattr(actor, "is_superuser", False):
            raise Http404
        queryset = model._default_manager.all()
    else:
        queryset = visible_to(model._default_manager.all(), actor)
    try:
        return queryset.get(pk=pk)
    # ValidationError: a pk of the wrong shape for a UUID key, for example.
    except (model.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        raise Http404 from error


def personal_data_reveal(
    *, instance: models.Model, field_name: str, actor: Any, remote_addr: str | None
) -> str:
    """The full value of ``instance.<field_name>``, after the checks above and an audit record.

    Raises ``Http404`` when the pair is not revealable or the object is outside the actor's scope,
    ``PermissionDenied`` when the actor lacks the permission. Nothing is written on refusal.
    """
    revealable_field(type(instance), field_name)
    if not _visible(instance, actor):
        raise Http404
    if not actor.has_perm(REVEAL_PERMISSION):
        raise PermissionDenied
    value = getattr(instance, field_name) or ""
    with transaction.atomic():
        record_access(instance, what=field_name, actor=actor, remote_addr=remote_addr)
    return value
