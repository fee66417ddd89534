"""Authentication: the model backend less demo accounts in production, and the client's address
that the lockout counts failures against."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

# Permissions that come with a role on the area tree, on top of any granted in the admin.
# Revealing a full ID number or phone is for the people who must call or identify residents of
# their own areas (the scoping function still limits whose); the audit log is for administrators.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"core.reveal_personal_data", "auditlog.view_logentry"}),
    "street_officer": frozenset({"core.reveal_personal_data"}),
    "community_secretary": frozenset({"core.reveal_personal_data"}),
    "grid_leader": frozenset({"core.reveal_personal_data"}),
    "grid_worker": frozenset({"core.reveal_personal_data"}),
}


class GridgovModelBackend(ModelBackend):
    """Django's model backend, refusing demo accounts when the production profile runs, and
    granting the permissions that come with the user's roles (ROLE_PERMISSIONS)."""

    def user_can_authenticate(self, user: Any) -> bool:
        if settings.PRODUCTION and getattr(user, "is_demo", False):
            return False  # a fixed demo password must never open a production system
        return super().user_can_authenticate(user)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        permissions = set(super().get_all_permissions(user_obj, obj))
        if user_obj.is_active and not user_obj.is_anonymous and obj is None:
            from gridgov.core.scoping import scope_of

            for role in scope_of(user_obj).roles:
                permissions |= ROLE_PERMISSIONS.get(role, frozenset())
        return permissions


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
