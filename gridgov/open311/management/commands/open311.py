"""``gridgov open311 key create NAME [--user USERNAME]``, ``key revoke NAME|PREFIX``, ``key list``:
the api_keys of Open311 client systems. The key is printed once, at creation; only its hash is
kept."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gridgov.open311.keys import ApiKeyError, key_create, key_revoke
from gridgov.open311.models import ApiKey


class Command(BaseCommand):
    help = "Open311 api_keys of client systems: key create NAME | key revoke NAME | key list."

    def add_arguments(self, parser: Any) -> None:
        groups = parser.add_subparsers(dest="group", required=True)
        key = groups.add_parser("key", help="api_keys of client systems")
        actions = key.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a key and print it once")
        create.add_argument("name", help="the client system, e.g. fixmystreet")
        create.add_argument(
            "--user",
            help="act as this existing account (default: a service account of the key's own)",
        )
        revoke = actions.add_parser("revoke", help="revoke a key by its name or prefix")
        revoke.add_argument("name_or_prefix")
        actions.add_parser("list", help="list keys (never the keys themselves)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "create":
                new = key_create(name=options["name"], username=options.get("user"))
                self.stdout.write(new.key)
                self.stderr.write(
                    f"api_key for {new.api_key.name} (acts as {new.api_key.user.username}); "
                    "it is shown only this once."
                )
            elif action == "revoke":
                revoked = key_revoke(name_or_prefix=options["name_or_prefix"])
                self.stdout.write(f"revoked {revoked.name} ({revoked.prefix}…)")
            else:
                for api_key in ApiKey.objects.select_related("user"):
                    state = (
                        f"revoked {api_key.revoked_at:%Y-%m-%d}" if api_key.revoked_at else "active"
                    )
                    used = (
                        f"{api_key.last_used_at:%Y-%m-%d %H:%M}"
                        if api_key.last_used_at
                        else "never"
                    )
                    self.stdout.write(
                        f"{api_key.name}\t{api_key.prefix}…\t{api_key.user.username}\t"
                        f"created {api_key.created_at:%Y-%m-%d}\tlast used {used}\t{state}"
                    )
        except ApiKeyError as error:
            raise CommandError(str(error)) from error
