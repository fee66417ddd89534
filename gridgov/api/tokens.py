"""API token services: create (the plaintext shown once), revoke, and authenticate a request's key."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.api.models import ApiToken
from gridgov.core.compiled import CompiledQuery
from gridgov.core.scoping import remember_scope

TOKEN_START = "gg_"  # noqa: S105 (the start of every token, not a secret) # nosec B105
PREFIX_LENGTH = len(TOKEN_START) + 8
# Writing "last used" on every request would turn each read into a write; once a minute is enough.
TOUCH_EVERY = datetime.timedelta(minutes=1)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user: Any, name: str = "default") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token, which is never shown again."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ValidationError({"name": [_("Give the token a name of at most 64 characters.")]})
    if not user.is_active:
        raise ValidationError({"user": [_("This account is disabled.")]})
    if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        raise ValidationError({"name": [_("This user already has an active token of this name.")]})
    for _attempt in range(5):
        key = TOKEN_START + secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user, name=name, prefix=key[:PREFIX_LENGTH], key_hash=digest(key)
                )
            return token, key
        except IntegrityError:  # the same prefix twice (1 in 2^48): draw again
            continue
    raise RuntimeError("could not draw a unique token prefix")


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke ``token`` at once; revoking twice keeps the first moment."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_find(text: str) -> list[ApiToken]:
    """Tokens named by a whole token or by its prefix (as ``token list`` shows it)."""
    text = (text or "").strip().rstrip("…")
    if not text:
        return []
    if len(text) > PREFIX_LENGTH:
        return list(ApiToken.objects.filter(key_hash=digest(text)).select_related("user"))
    return list(ApiToken.objects.filter(prefix__startswith=text).select_related("user"))


# Every API request runs this look-up: compiled once (gridgov.core.compiled). It brings the
# user's active roles along (one row per role, a LEFT JOIN), which every endpoint asks next
# (``scope_of``): one statement instead of two.
_TOKEN_FIELDS = tuple(f.attname for f in ApiToken._meta.concrete_fields)
_USER_FIELDS = tuple(f.attname for f in get_user_model()._meta.concrete_fields)
_ACTIVE_TOKEN: CompiledQuery = CompiledQuery(
    lambda p: (
        ApiToken.objects.annotate(
            roles=FilteredRelation("user__assignments", condition=Q(user__assignments__active=True))
        )
        .filter(key_hash=p("key_hash"), revoked_at__isnull=True)
        .order_by()
        .values_list(
            *_TOKEN_FIELDS,
            *(f"user__{name}" for name in _USER_FIELDS),
            "roles__role",
            "roles__area__code",
            "roles__department_id",
        )
    )
)


def user_for_key(key: str) -> Any | None:
    """The active user of an active token, or None (unknown, revoked, or the user disabled)."""
    if not key or not key.startswith(TOKEN_START) or len(key) > 100:
        return None
    rows = _ACTIVE_TOKEN.rows(key_hash=digest(key))
    if not rows:
        return None
    at = len(_TOKEN_FIELDS)
    till = at + len(_USER_FIELDS)
    token = ApiToken.from_db("default", _TOKEN_FIELDS, rows[0][:at])
    user = get_user_model().from_db("default", _USER_FIELDS, rows[0][at:till])
    if not user.is_active:
        return None
    remember_scope(user, [row[till:] for row in rows if row[till] is not None])
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
