"""Authentication: the model backend less demo accounts in production, and the client's address
that the lockout counts failures against."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class GridgovModelBackend(ModelBackend):
    """Django's model backend, refusing demo accounts when the production profile runs."""

    def user_can_authenticate(self, user: Any) -> bool:
        if settings.PRODUCTION and getattr(user, "is_demo", False):
            return False  # a fixed demo password must never open a production system
        return super().user_can_authenticate(user)


def client_ip_address(request: HttpRequest) -> str | None:
    """The address of the person at the keyboard, for django-axes (AXES_CLIENT_IP_CALLABLE).

    Behind nginx, REMOTE_ADDR is the proxy, the same for everybody. Each of the
    GRIDGOV_PROXY_COUNT trusted proxies appends the address it received the request from to
    X-Forwarded-For, so the client is that many entries from the right; anything further left was
    written by the client and can be forged, so it is never read.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.GRIDGOV_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote  # fewer hops than configured: the request did not come through the proxies
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
