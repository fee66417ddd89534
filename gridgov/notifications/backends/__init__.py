"""Backends: adapters that carry an ``OutgoingMessage`` to the outside world.

``GRIDGOV_NOTIFY_BACKENDS`` maps a channel ("sms", "webhook") to a backend: "log", "webhook",
"sms", a dotted path to a ``Backend`` subclass (a real gateway's adapter), or None (the channel is
off). Defaults: text messages go to the log, the webhook is off.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from gridgov.notifications.backends.base import Backend, DeliveryFailed, OutgoingMessage

__all__ = [
    "Backend",
    "DeliveryFailed",
    "OutgoingMessage",
    "backend_name_for",
    "get_backend",
]

DEFAULT_BACKENDS: dict[str, str | None] = {"sms": "log", "webhook": None}

BUILTIN = {
    "log": "gridgov.notifications.backends.log.LogBackend",
    "webhook": "gridgov.notifications.backends.webhook.WebhookBackend",
    "sms": "gridgov.notifications.backends.sms.SmsGatewayBackend",
}


def backend_name_for(channel: str) -> str | None:
    """The configured backend of ``channel``, or None when the channel is off."""
    configured = getattr(settings, "GRIDGOV_NOTIFY_BACKENDS", None) or {}
    return {**DEFAULT_BACKENDS, **configured}.get(channel)


def get_backend(name: str) -> Backend:
    backend_class = import_string(BUILTIN.get(name, name))
    if not (isinstance(backend_class, type) and issubclass(backend_class, Backend)):
        raise TypeError(f"{name!r} is not a notifications Backend")
    return backend_class()
