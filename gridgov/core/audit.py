"""The audit log: every create, update and delete of domain data, and every reveal of personal data.

Built on django-auditlog (who, when, what changed, from which address). Encrypted fields are
recorded only as "changed" (fully masked), never as plaintext, and blind indexes are left out.
"""

from __future__ import annotations

from typing import Any

from auditlog.registry import auditlog
from django.db import models

from gridgov.core.fields import BlindIndexField, encrypted_fields

FULL_MASK = "******"


def mask_completely(value: str) -> str:
    return FULL_MASK


def audited(model: type[models.Model], *, exclude: tuple[str, ...] = ()) -> type[models.Model]:
    """Register ``model`` with the audit log; encrypted fields masked, blind indexes excluded."""
    blind = [f.name for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
    auditlog.register(
        model,
        exclude_fields=[*blind, *exclude],
        mask_fields=[field.name for field in encrypted_fields(model)],
        mask_callable="gridgov.core.audit.mask_completely",
    )
    return model


def _register_core() -> None:
    from gridgov.areas.models import Area
    from gridgov.core.models import Department, RoleAssignment, StoredFile, User

    audited(User, exclude=("password", "last_login", "password_changed_at"))
    audited(RoleAssignment)
    audited(Department)
    audited(Area)
    audited(StoredFile)


_register_core()


def record_access(
    instance: models.Model, *, what: str, actor: Any, remote_addr: str | None
) -> None:
    """Write an ACCESS entry: somebody saw ``what`` of ``instance`` unmasked."""
    from auditlog.models import LogEntry

    LogEntry.objects.log_create(
        instance,
        action=LogEntry.Action.ACCESS,
        changes={"revealed": [what, FULL_MASK]},
        actor=actor,
        remote_addr=remote_addr,
        force_log=True,
    )
