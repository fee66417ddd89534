"""Password rules: validators Django does not ship (for the two presets in docs/security.md), when
a change is due, and the two ways a password gets set (by its owner, by an administrator)."""

from __future__ import annotations

import datetime
import string
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class CharacterClassValidator:
    """等保三级 complexity: at least ``min_classes`` of upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        classes = sum(
            (
                any(c in string.ascii_uppercase for c in password),
                any(c in string.ascii_lowercase for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            )
        )
        if classes < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(n)d of: upper-case letters, lower-case letters, "
            "digits and symbols."
        ) % {"n": self.min_classes}


class MaximumLengthValidator:
    """ASVS allows long passphrases but caps length, so hashing cannot be made a denial of service."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(self.get_help_text(), code="password_too_long")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must contain at most %(n)d character.",
            "Your password must contain at most %(n)d characters.",
            self.max_length,
        ) % {"n": self.max_length}


def password_change_due(user: Any) -> bool:
    """Whether the user must choose a new password before doing anything else.

    True for an account whose password an administrator set (``must_change_password``) and, under
    a policy with a maximum age (等保 "dengbao3": 90 days), for a password older than that.
    """
    if getattr(user, "must_change_password", False):
        return True
    max_age = settings.GRIDGOV_PASSWORD_MAX_AGE_DAYS
    changed = getattr(user, "password_changed_at", None)
    if max_age and changed is not None:
        return timezone.now() - changed > datetime.timedelta(days=max_age)
    return False


def user_password_change(*, user: Any, raw_password: str) -> None:
    """The user chose a new password: store it and lift any forced change."""
    user.set_password(raw_password)  # also stamps password_changed_at
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])


def user_password_set_by_admin(*, user: Any, raw_password: str | None) -> None:
    """An administrator set the password: it is known to someone else, so the user must change it.

    ``raw_password=None`` makes the password unusable (an account that signs in by other means).
    """
    if raw_password is None:
        user.set_unusable_password()
    else:
        user.set_password(raw_password)
    user.must_change_password = raw_password is not None
    if user.pk is not None:
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
