"""API keys of Open311 clients: created once (the key is shown only then), looked up by hash,
revoked by name or prefix.

A key is 32 random bytes (urlsafe), so an unsalted SHA-256 is enough to store it: nothing short
enough to guess hides behind the hash. Each key acts as an account: the one named at creation,
or a service account of its own (no password, no roles) that becomes the reporter of the
requests the client sends without a callback phone.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.open311.models import ApiKey

KEY_PREFIX = "o311_"
# Writing "last used" on every call would turn each GET into a write; a few minutes is precise
# enough to tell a live client from a dead one.
LAST_USED_PRECISION = datetime.timedelta(minutes=5)


class ApiKeyError(ValueError):
    """A key that cannot be created or found."""


@dataclass(frozen=True)
class NewKey:
    api_key: ApiKey
    key: str  # shown once, never stored


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _service_username(name: str) -> str:
    return "open311-" + re.sub(r"[^\w.@+-]", "-", name)[:140]


def key_create(*, name: str, username: str | None = None) -> NewKey:
    """A new key for the client ``name``, acting as ``username`` or as a new service account."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ApiKeyError(_("A key needs a name of 1 to 64 characters."))
    User = get_user_model()  # noqa: N806
    with transaction.atomic():
        if ApiKey.objects.filter(name=name).exists():
            raise ApiKeyError(_("A key named “%(name)s” exists already.") % {"name": name})
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise ApiKeyError(_("No active user “%(name)s”.") % {"name": username})
        else:
            user, created = User.objects.get_or_create(
                username=_service_username(name),
                defaults={"full_name": f"Open311 · {name}"[:64]},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
        while True:
            secret = secrets.token_urlsafe(32)
            key = KEY_PREFIX + secret
            prefix = secret[:8]
            if not ApiKey.objects.filter(prefix=prefix).exists():
                break
        api_key = ApiKey.objects.create(name=name, prefix=prefix, key_hash=hash_key(key), user=user)
    return NewKey(api_key, key)


def key_revoke(*, name_or_prefix: str) -> ApiKey:
    value = (name_or_prefix or "").strip()
    value = value.removeprefix(KEY_PREFIX)
    with transaction.atomic():
        api_key = (
            ApiKey.objects.select_for_update().filter(name=value).first()
            or ApiKey.objects.select_for_update().filter(prefix=value[:8]).first()
            if value
            else None
        )
        if api_key is None:
            raise ApiKeyError(_("No key named or starting with “%(value)s”.") % {"value": value})
        if api_key.revoked_at is None:
            api_key.revoked_at = timezone.now()
            api_key.save(update_fields=["revoked_at"])
    return api_key


def key_authenticate(key: str) -> ApiKey | None:
    """The active key behind ``key``, or None (unknown, malformed or revoked)."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    api_key = (
        ApiKey.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if api_key is None:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
