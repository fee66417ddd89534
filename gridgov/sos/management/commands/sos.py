"""``gridgov sos device create RESIDENT [--label L]`` prints a new device's token (once);
``gridgov sos device revoke DEVICE`` revokes a lost one; ``gridgov sos device list [--all]``."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gridgov.registry.models import Resident
from gridgov.sos.models import SosDevice
from gridgov.sos.services import device_create, device_revoke


def _resident(reference: str) -> Resident:
    """A resident by database id or uid."""
    query = Resident.objects.select_related("area")
    try:
        if reference.isdigit():
            return query.get(pk=int(reference))
        return query.get(uid=uuid.UUID(reference))
    except (Resident.DoesNotExist, ValueError) as error:
        raise CommandError(f"no resident {reference!r} (give its id or uid)") from error


def _device(reference: str) -> SosDevice:
    """A device by uid, or by the start of its token as the list shows it."""
    query = SosDevice.objects.select_related("resident")
    try:
        return query.get(uid=uuid.UUID(reference))
    except ValueError:
        pass
    except SosDevice.DoesNotExist as error:
        raise CommandError(f"no device {reference!r}") from error
    matches = list(query.filter(token_hint__startswith=reference.rstrip("…"))[:2])
    if len(matches) != 1 or len(reference) < 6:
        raise CommandError(f"no single device {reference!r} (give its uid)")
    return matches[0]


class Command(BaseCommand):
    help = "SOS devices (一键通): create (prints the token once), revoke, list."

    def add_arguments(self, parser: Any) -> None:
        groups = parser.add_subparsers(dest="group", required=True)
        device = groups.add_parser("device", help="SOS devices")
        actions = device.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="register a device for a resident")
        create.add_argument("resident", help="the resident's id or uid")
        create.add_argument("--label", default="", help="e.g. the number printed on the device")
        revoke = actions.add_parser("revoke", help="revoke a (lost) device")
        revoke.add_argument("device", help="the device's uid (or the start of its token)")
        listing = actions.add_parser("list", help="list devices")
        listing.add_argument("--all", action="store_true", help="revoked ones too")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            resident = _resident(options["resident"])
            try:
                device, token = device_create(resident=resident, label=options["label"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self.stderr.write(
                f"device {device.uid} for resident {resident.pk} ({resident.area.name}); "
                "the token below is shown only now:"
            )
            self.stdout.write(token)
        elif action == "revoke":
            device = device_revoke(device=_device(options["device"]))
            self.stdout.write(f"revoked {device.uid} at {device.revoked_at:%Y-%m-%d %H:%M:%S}")
        else:
            devices = SosDevice.objects.select_related("resident").order_by("id")
            if not options["all"]:
                devices = devices.filter(revoked_at__isnull=True)
            for device in devices:
                state = "revoked" if device.revoked_at else "active"
                seen = f"{device.last_seen_at:%Y-%m-%d %H:%M}" if device.last_seen_at else "never"
                self.stdout.write(
                    f"{device.uid}  {device.token_hint}…  {state:7}  resident {device.resident_id}"
                    f"  last seen {seen}  {device.label}"
                )
