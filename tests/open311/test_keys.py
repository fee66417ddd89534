"""`gridgov open311 key create|revoke|list`: the key is printed once and stored only as a hash."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from gridgov.open311.keys import hash_key, key_authenticate
from gridgov.open311.models import ApiKey


def command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("open311", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_create_prints_the_key_once_and_stores_only_its_hash(o311):
    key, note = command("key", "create", "city-app")
    assert key.startswith("o311_") and "only this once" in note
    stored = ApiKey.objects.get(name="city-app")
    assert stored.key_hash == hash_key(key)
    assert key not in str(list(ApiKey.objects.values_list()))
    assert key[5:13] == stored.prefix
    # Its own service account: no password, no roles.
    assert stored.user.username == "open311-city-app" and not stored.user.has_usable_password()
    listing, _ = command("key", "list")
    assert "city-app" in listing and stored.prefix in listing and key not in listing
    assert o311.report(api_key=key).status_code == 201


def test_a_key_may_act_as_an_existing_account(o311):
    key, _ = command("key", "create", "hotline-bridge", "--user", o311.world.officer.username)
    assert ApiKey.objects.get(name="hotline-bridge").user == o311.world.officer
    assert key_authenticate(key).user == o311.world.officer


def test_revoke_by_name_or_prefix(o311):
    key, _ = command("key", "create", "one")
    out, _ = command("key", "revoke", "one")
    assert "revoked one" in out
    assert key_authenticate(key) is None
    assert o311.report(api_key=key).status_code == 403
    other, _ = command("key", "create", "two")
    command("key", "revoke", other[:13])  # the printed prefix, o311_ included
    assert key_authenticate(other) is None
    listing, _ = command("key", "list")
    assert listing.count("revoked") == 2


@pytest.mark.parametrize(
    "args",
    [
        ("key", "create", "fixmystreet"),  # the name is taken (the fixture's key)
        ("key", "create", "x", "--user", "nobody"),
        ("key", "create", "n" * 65),
        ("key", "revoke", "nothing"),
    ],
)
def test_command_errors(o311, args):
    with pytest.raises(CommandError):
        command(*args)


def test_last_use_is_recorded(o311):
    assert ApiKey.objects.get(pk=o311.api_key.pk).last_used_at is None
    o311.get("services", api_key=o311.key)
    assert ApiKey.objects.get(pk=o311.api_key.pk).last_used_at is not None


def test_a_bad_key_on_a_read_is_403_but_no_key_is_fine(o311):
    assert o311.get("services").status_code == 200
    response = o311.get("requests", api_key="o311_wrong")
    assert response.status_code == 403 and response.json()[0]["code"] == 403
