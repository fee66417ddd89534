"""Two-factor sign-in: a time-based one-time code (TOTP, RFC 6238) from an authenticator app.

A user has at most one confirmed TOTP device. Enrolment creates an unconfirmed device, shows its key
as a QR code and as text, and confirms it only when the user types a current code, so nobody ends up
with a device their phone does not know. Views and the middleware call these functions; they hold
no rule of their own.
"""

from __future__ import annotations

import enum
import math
from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridgov.core.models import Role, RoleAssignment

DEVICE_NAME = "authenticator"


class CodeCheck(enum.Enum):
    """Outcome of checking a code, so that a view can say why it was refused."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    THROTTLED = "throttled"  # too many wrong codes in a row: django-otp makes the user wait


def confirmed_device(user: Any) -> TOTPDevice | None:
    if getattr(user, "pk", None) is None:  # anonymous
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def second_factor_required(user: Any) -> bool:
    """Whether the user holds a role listed in GRIDGOV_REQUIRE_2FA_ROLES."""
    roles = set(settings.GRIDGOV_REQUIRE_2FA_ROLES)
    if not roles:
        return False
    # Django's staff flag opens the admin site, which is an administrator's power whatever the
    # role table says, so "admin" in the list covers staff accounts too.
    if Role.ADMIN in roles and (user.is_staff or user.is_superuser):
        return True
    return RoleAssignment.objects.filter(user=user, active=True, role__in=roles).exists()


def device_enrol_start(*, user: Any) -> TOTPDevice:
    """The user's pending (unconfirmed) device, created with a fresh random key if there is none.

    A pending device is reused so that reloading the page does not invalidate a QR code the user
    has just scanned.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def device_enrol_confirm(*, device: TOTPDevice, code: str) -> CodeCheck:
    """Confirm a pending device with a current code; the code proves the phone holds the key."""
    outcome = _check(device, code)
    if outcome is CodeCheck.ACCEPTED:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # Only one device per user: any other pending one is now stale.
        TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).delete()
    return outcome


def device_verify(*, user: Any, code: str) -> tuple[CodeCheck, TOTPDevice | None]:
    """Check a login code against the user's confirmed device."""
    with transaction.atomic():
        # Locked, so two requests racing with the same code cannot both succeed.
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            return CodeCheck.WRONG, None
        outcome = _check(device, code)
    return outcome, device if outcome is CodeCheck.ACCEPTED else None


def device_remove(*, user: Any) -> int:
    """Delete every TOTP device of the user (confirmed or pending); returns how many."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted


def _check(device: TOTPDevice, code: str) -> CodeCheck:
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return CodeCheck.THROTTLED
    # verify_token refuses a code already used (last_t) and counts failures for throttling.
    return CodeCheck.ACCEPTED if device.verify_token(code.strip()) else CodeCheck.WRONG


def throttle_seconds(device_or_user: Any) -> int:
    """Seconds until the device accepts another code (0 if it accepts one now)."""
    device = (
        device_or_user
        if isinstance(device_or_user, TOTPDevice)
        else confirmed_device(device_or_user)
    )
    if device is None:
        return 0
    allowed, details = device.verify_is_allowed()
    if allowed or not details or "locked_until" not in details:
        return 0
    remaining = (details["locked_until"] - timezone.now()).total_seconds()
    return max(math.ceil(remaining), 1)


def manual_key(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app when the camera cannot scan."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning URI as an inline SVG QR code, drawn here: the key never leaves the server."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)
