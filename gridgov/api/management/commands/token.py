"""``gridgov token create USERNAME [--name NAME]`` · ``token revoke (PREFIX | --user U --name N)``
· ``token list [--user U] [--all]``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gridgov.api.models import ApiToken
from gridgov.api.tokens import token_create, token_find, token_revoke
from gridgov.core.models import User


class Command(BaseCommand):
    help = "Create, revoke and list REST API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="print a new token for USERNAME (shown once)")
        create.add_argument("username")
        create.add_argument("--name", default="default")
        revoke = actions.add_parser("revoke", help="revoke a token by its prefix or its name")
        revoke.add_argument("prefix", nargs="?", help="the token's prefix, or the whole token")
        revoke.add_argument("--user", dest="revoke_user")
        revoke.add_argument("--name", dest="revoke_name")
        listing = actions.add_parser("list", help="list tokens (never their secret)")
        listing.add_argument("--user", dest="list_user")
        listing.add_argument("--all", action="store_true", help="revoked tokens too")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(f"no user {username!r}") from error

    def _create(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        try:
            token, key = token_create(user=user, name=options["name"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(
            f"token {token.prefix}… ({token.name}) for {user.username}; "
            "store it now, it is not shown again:"
        )
        self.stdout.write(key)

    def _revoke(self, options: dict[str, Any]) -> None:
        if options.get("prefix"):
            found = [t for t in token_find(options["prefix"]) if t.active]
        elif options.get("revoke_user") and options.get("revoke_name"):
            found = list(
                ApiToken.objects.filter(
                    user=self._user(options["revoke_user"]),
                    name=options["revoke_name"],
                    revoked_at__isnull=True,
                )
            )
        else:
            raise CommandError("name the token: PREFIX, or --user USERNAME --name NAME")
        if not found:
            raise CommandError("no active token matches")
        if len(found) > 1:
            raise CommandError("several tokens match; give a longer prefix")
        token = token_revoke(token=found[0])
        self.stdout.write(f"revoked {token.prefix}… ({token.name}) of {token.user.username}")

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "name")
        if options.get("list_user"):
            tokens = tokens.filter(user=self._user(options["list_user"]))
        if not options.get("all"):
            tokens = tokens.filter(revoked_at__isnull=True)
        for token in tokens:
            used = token.last_used_at and timezone.localtime(token.last_used_at)
            self.stdout.write(
                "\t".join(
                    [
                        f"{token.prefix}…",
                        token.user.username,
                        token.name,
                        f"created {timezone.localtime(token.created_at):%Y-%m-%d %H:%M}",
                        f"last used {used:%Y-%m-%d %H:%M}" if used else "never used",
                        "revoked" if token.revoked_at else "active",
                    ]
                )
            )
