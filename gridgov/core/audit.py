"""The audit log: every create, update and delete of domain data, and every reveal of personal data.

Built on django-auditlog (who, when, what changed, from which address). Encrypted fields are
recorded only as "changed" (fully masked), never as plaintext, and blind indexes are left out.

- Writes made during a request get their actor and address from ``AuditContextMiddleware`` (the
  auditlog middleware with a client address that a client cannot forge, see ``client_address``).
- A reveal of personal data is an ACCESS entry written by ``record_access``.
- Entries are kept at least 180 days (``GRIDGOV_AUDIT_RETENTION_DAYS``); ``gridgov audit_archive``
  moves older ones to a checksummed file. Nothing in the app edits or deletes them.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from auditlog.cid import set_cid
from auditlog.context import _set_extra_data, auditlog_value
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.core.checks import Error, register
from django.db import models, transaction
from django.db.models.signals import pre_save
from django.http import HttpRequest, HttpResponse

from gridgov.core.fields import BlindIndexField, encrypted_fields

FULL_MASK = "******"
MINIMUM_RETENTION_DAYS = 180


def mask_completely(value: str) -> str:
    return FULL_MASK


def audited(model: type[models.Model], *, exclude: tuple[str, ...] = ()) -> type[models.Model]:
    """Register ``model`` with the audit log; encrypted fields masked, blind indexes excluded."""
    blind = [f.name for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
    # The model's own columns only: a reverse one-to-one (another app's row about this one)
    # would cost a query on every save and is that other row's own history.
    columns = [f.name for f in model._meta.concrete_fields if f.name not in {*blind, *exclude}]
    auditlog.register(
        model,
        include_fields=columns,
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


def client_address(request: HttpRequest) -> str | None:
    """The client's address as our own proxies saw it (the same one django-axes counts).

    auditlog's middleware trusts the first ``X-Forwarded-For`` entry, which any client can write:
    an audit record must not carry an address the actor chose. ``client_ip_address`` takes the
    socket address, or behind GRIDGOV_PROXY_COUNT proxies the entry that many from the right.
    """
    from gridgov.core.auth import client_ip_address

    return client_ip_address(request)


# The request's context reaches the entries through one receiver, connected once. auditlog's own
# middleware connects a receiver at each request and disconnects it after, and each connect empties
# Django's cache of pre_save's receivers: every save of every request then looked them up again.
_REQUEST_CONTEXT = ("gridgov", "request")
pre_save.connect(
    partial(_set_extra_data, signal_duid=_REQUEST_CONTEXT),
    sender=LogEntry,
    dispatch_uid=_REQUEST_CONTEXT,
    weak=False,
)


class AuditContextMiddleware(AuditlogMiddleware):
    """auditlog's middleware (actor, address, correlation id on every entry of the request) with
    an address taken by ``client_address``, and its context set for the request alone: the
    receiver above stays connected and the context is reset when the request ends. Use it in
    MIDDLEWARE instead of auditlog's own."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        set_cid(request)
        context = {**self.get_extra_data(request), "signal_duid": _REQUEST_CONTEXT}
        token = auditlog_value.set(context)
        try:
            return self.get_response(request)
        finally:
            auditlog_value.reset(token)

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_address(request)

    @staticmethod
    def _get_remote_port(request: HttpRequest) -> int | None:
        return None  # a client-supplied X-Forwarded-Port proves nothing


def record_access(instance: models.Model, *, what: str, actor: Any, remote_addr: str | None) -> Any:
    """Write an ACCESS entry: somebody saw ``what`` of ``instance`` unmasked. Returns the entry."""
    from auditlog.models import LogEntry

    with transaction.atomic():
        return LogEntry.objects.log_create(
            instance,
            action=LogEntry.Action.ACCESS,
            changes={"revealed": [what, FULL_MASK]},
            additional_data={"revealed_field": what},
            actor=actor,
            remote_addr=remote_addr,
            force_log=True,
        )


def retention_days() -> int:
    return int(settings.GRIDGOV_AUDIT_RETENTION_DAYS)


@register("gridgov")
def check_audit_retention(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Audit records are kept at least 180 days (等保 and the Cybersecurity Law, art. 21)."""
    if retention_days() < MINIMUM_RETENTION_DAYS:
        return [
            Error(
                f"GRIDGOV_AUDIT_RETENTION_DAYS is {retention_days()}; "
                f"audit records must be kept at least {MINIMUM_RETENTION_DAYS} days.",
                id="gridgov.E010",
            )
        ]
    return []
