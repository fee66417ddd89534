"""Signing in with a phone and a one-time code (短信验证码登录).

``code_request`` checks the rate limits, stores a keyed hash of a fresh six-digit code and sends
the code through ``notify_phone`` (template ``sign_in_code``; the log backend in the demo and the
tests). ``code_verify`` checks a typed code against it: a wrong code uses up one of a few tries, an
expired or used code is refused, and only a right one finds (or creates) the resident's account.

Staff accounts keep their password sign-in (with lockout and second factor): a code is never sent
to a phone that belongs to a staff account.
"""

from __future__ import annotations

import enum
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridgov.areas.models import Area
from gridgov.core import crypto
from gridgov.core.fields import lookup_index
from gridgov.core.identifiers import normalise_phone
from gridgov.core.models import STAFF_ROLES, Role, RoleAssignment, User
from gridgov.resident import conf
from gridgov.resident.models import SignInCode

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
_HASH_SALT = "gridgov.resident.sign_in_code"


class CodeRefused(Exception):
    """A code request refused (too many, too soon, a staff phone); ``message`` is for the user."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class Check(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class Verified:
    outcome: Check
    user: User | None = None
    tries_left: int = 0
    created: bool = False

    def message(self) -> str:
        if self.outcome is Check.WRONG:
            return ngettext(
                "The code is wrong. You can try %(count)d more time.",
                "The code is wrong. You can try %(count)d more times.",
                self.tries_left,
            ) % {"count": self.tries_left}
        if self.outcome is Check.EXPIRED:
            return _("The code has expired or was already used. Ask for a new one.")
        if self.outcome is Check.TOO_MANY:
            return _("Too many wrong codes. Ask for a new code.")
        return ""


def _hash(code: str, uid: Any) -> str:
    return salted_hmac(_HASH_SALT, f"{uid}:{code}", algorithm="sha256").hexdigest()


def _address_index(address: str | None) -> str:
    return crypto.blind_index(address or "", "resident.sign_in_code.address") if address else ""


def _mobile(phone: str) -> str:
    number = normalise_phone(phone or "")
    if not (len(number) == 11 and number.isdigit() and number[0] == "1" and number[1] in "3456789"):
        raise ValidationError(_("Enter an 11-digit mobile number."), code="phone")
    return number


def account_for_phone(phone: str) -> User | None:
    """The active account with this phone (through the phone's blind index), if any."""
    index = lookup_index(User, "phone", phone)
    return User.objects.filter(phone_index=index).order_by("-is_active", "pk").first()


def is_staff_account(user: User) -> bool:
    if user.is_staff or user.is_superuser:
        return True
    return RoleAssignment.objects.filter(user=user, active=True, role__in=STAFF_ROLES).exists()


def code_request(*, phone: str, address: str | None, now: Any = None) -> tuple[SignInCode, str]:
    """Send a fresh code to ``phone``; returns the stored row and the code (for tests only: the
    pages never show it). Raises ValidationError for a bad number, CodeRefused when a limit is hit.
    """
    number = _mobile(phone)
    now = now or timezone.now()
    account = account_for_phone(number)
    if account is not None and settings.PRODUCTION and account.is_demo:
        raise CodeRefused(_("This account cannot sign in here."), code="demo_account")
    if account is not None and (not account.is_active or is_staff_account(account)):
        raise CodeRefused(
            _("This number belongs to a staff account: sign in with your user name and password."),
            code="staff_account",
        )
    phone_index = lookup_index(SignInCode, "phone", number)
    address_index = _address_index(address)
    hour_ago = now - timezone.timedelta(hours=1)
    with transaction.atomic():
        recent = SignInCode.objects.filter(phone_index=phone_index, created_at__gte=hour_ago)
        last = recent.order_by("-created_at").values_list("created_at", flat=True).first()
        if last is not None and now - last < conf.code_interval():
            wait = int((conf.code_interval() - (now - last)).total_seconds()) + 1
            raise CodeRefused(
                ngettext(
                    "A code was sent a moment ago. Wait %(seconds)d second before asking again.",
                    "A code was sent a moment ago. Wait %(seconds)d seconds before asking again.",
                    wait,
                )
                % {"seconds": wait},
                code="too_soon",
            )
        if recent.count() >= conf.codes_per_phone_hour():
            raise CodeRefused(
                _("Too many codes were requested for this number. Try again in an hour."),
                code="phone_limit",
            )
        if (
            address_index
            and SignInCode.objects.filter(
                address_index=address_index, created_at__gte=hour_ago
            ).count()
            >= conf.codes_per_address_hour()
        ):
            raise CodeRefused(
                _("Too many codes were requested from this network. Try again in an hour."),
                code="address_limit",
            )
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        row = SignInCode(
            phone=number,
            address_index=address_index,
            created_at=now,
            expires_at=now + conf.code_lifetime(),
        )
        row.code_hash = _hash(code, row.uid)
        row.save()
        # Older codes of this phone stop working: only the latest one counts.
        SignInCode.objects.filter(phone_index=phone_index, used_at__isnull=True).exclude(
            pk=row.pk
        ).update(used_at=now)
        _send(number, code)
    return row, code


def _send(number: str, code: str) -> None:
    from gridgov.notifications.services import delivery_attempt, notify_phone

    minutes = int(conf.code_lifetime().total_seconds() // 60)
    delivery = notify_phone(
        phone=number,
        template="sign_in_code",
        params={"code": code, "minutes": minutes},
        kind="sign_in",
    )
    # A code that waits for a background worker is useless: the request that asked for it sends
    # it right after the commit. The queued job stays the retry path (a delivery is sent once).
    transaction.on_commit(lambda: _attempt(delivery_attempt, delivery.pk), robust=True)


def _attempt(send: Any, delivery_id: int) -> None:
    try:
        send(delivery_id=delivery_id)
    except Exception:  # the queued job retries; the person can also ask again
        logger.exception("sign-in code delivery %s failed", delivery_id)


def code_verify(*, code_id: int, code: str, now: Any = None) -> Verified:
    """Check ``code`` against the stored code ``code_id``; on success, the resident's account."""
    now = now or timezone.now()
    code = (code or "").replace(" ", "")
    with transaction.atomic():
        row = SignInCode.objects.select_for_update().filter(pk=code_id).first()
        if row is None or row.used_at is not None or row.expires_at <= now:
            return Verified(Check.EXPIRED)
        limit = conf.code_attempts()
        if row.attempts >= limit:
            return Verified(Check.TOO_MANY)
        if not (code.isdigit() and constant_time_compare(_hash(code, row.uid), row.code_hash)):
            SignInCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
            left = limit - row.attempts - 1
            return Verified(Check.TOO_MANY) if left <= 0 else Verified(Check.WRONG, tries_left=left)
        used = SignInCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
        if not used:
            return Verified(Check.EXPIRED)
        user, created = resident_for_phone(row.phone)
    return Verified(Check.ACCEPTED, user=user, created=created)


def resident_for_phone(phone: str) -> tuple[User, bool]:
    """The account with this phone, or a new resident account for it.

    A new account gets the resident role at the root of the area tree: a role assignment needs a
    place, and for residents it never widens what they see (they see only their own reports).
    """
    existing = account_for_phone(phone)
    if existing is not None:
        return existing, False
    user = User(
        username=f"r{secrets.token_hex(6)}",
        full_name=_("Resident %(last4)s") % {"last4": phone[-4:]},
        phone=phone,
    )
    user.set_unusable_password()
    user.save()
    root = (
        Area.objects.filter(parent__isnull=True, retired_at__isnull=True).order_by("code").first()
    )
    if root is not None:
        RoleAssignment.objects.create(user=user, role=Role.RESIDENT, area=root)
    return user, True
