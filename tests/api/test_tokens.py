"""API tokens: created once and shown once, stored as a digest, revoked at once; the 401s."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from gridgov.api.models import ApiToken
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def create(username: str, name: str = "default") -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", username, "--name", name, stdout=out, stderr=err)
    assert "not shown again" in err.getvalue()
    return out.getvalue().strip()


def test_token_create_prints_a_token_that_signs_in_as_its_user(world, taxonomy):
    key = create("worker_a", "patrol-app")
    token = ApiToken.objects.get(user=world.worker_a, name="patrol-app")
    # Only a digest is stored, never the token itself.
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.prefix, token.key_hash, token.name}
    response = ApiClient(key).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "worker_a"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_list_never_prints_the_secret(world, taxonomy):
    key = create("worker_a")
    out = io.StringIO()
    call_command("token", "list", stdout=out)
    assert "worker_a" in out.getvalue() and key[:11] in out.getvalue()
    assert key not in out.getvalue()


def test_revoked_token_is_refused_with_a_structured_401(world, taxonomy):
    key = create("worker_a")
    client = ApiClient(key)
    assert client.get("/api/v1/me").status_code == 200
    out = io.StringIO()
    call_command("token", "revoke", key[:11], stdout=out)
    assert "revoked" in out.getvalue()
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "invalid_token"
    assert body["message"] == body["message_zh"] and "令牌" in body["message_zh"]
    assert "revoked" in body["message_en"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoke_by_user_and_name(world, taxonomy):
    key = create("worker_a", "sync")
    call_command("token", "revoke", "--user", "worker_a", "--name", "sync", stdout=io.StringIO())
    assert ApiClient(key).get("/api/v1/me").status_code == 401
    with pytest.raises(CommandError):
        call_command("token", "revoke", "--user", "worker_a", "--name", "sync")


def test_unknown_and_malformed_tokens_are_401(world, taxonomy):
    for key in ("gg_nothing", "not-even-ours", "gg_" + "x" * 43):
        response = ApiClient(key).get("/api/v1/areas")
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_token"
    client = ApiClient(None)
    client.headers = {"Authorization": "Basic d29ya2VyX2E6eA=="}
    assert client.get("/api/v1/areas").json()["code"] == "invalid_token"


def test_no_credentials_is_401_not_authenticated(world, taxonomy):
    response = ApiClient(None).get("/api/v1/cases")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert set(body) == {"code", "message", "message_zh", "message_en", "details"}


def test_a_disabled_user_token_stops_working(world, taxonomy):
    key = create("worker_a")
    world.worker_a.is_active = False
    world.worker_a.save(update_fields=["is_active"])
    assert ApiClient(key).get("/api/v1/me").status_code == 401


def test_create_refuses_unknown_user_and_duplicate_name(world, taxonomy):
    with pytest.raises(CommandError):
        call_command("token", "create", "nobody")
    create("worker_a", "one")
    with pytest.raises(CommandError):
        call_command("token", "create", "worker_a", "--name", "one")
    assert ApiToken.objects.filter(user=world.worker_a).count() == 1


def test_english_messages_for_a_client_that_asks(world, taxonomy):
    key = create("worker_a")
    client = ApiClient(key)
    client.headers["Accept-Language"] = "en-US,en;q=0.9"
    body = client.get("/api/v1/cases/999999").json()
    assert body["code"] == "not_found"
    assert body["message"] == body["message_en"] != body["message_zh"]


def test_back_office_lists_and_revokes_tokens_but_never_shows_or_makes_them(world, taxonomy, login):
    key = create("worker_a", "sync")
    token = ApiToken.objects.get(name="sync")
    client = login(world.admin)
    listing = client.get("/admin/api/apitoken/")
    assert listing.status_code == 200 and token.prefix in listing.content.decode()
    assert key not in listing.content.decode() and token.key_hash not in listing.content.decode()
    assert client.get("/admin/api/apitoken/add/").status_code == 403
    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(key).get("/api/v1/me").status_code == 401


def test_the_token_look_up_brings_the_users_active_roles_in_the_same_statement(
    world, django_assert_num_queries
):
    from gridgov.api.tokens import user_for_key
    from gridgov.core.models import RoleAssignment
    from gridgov.core.scoping import scope_of

    key = create("worker_a")
    user_for_key(key)  # the first use touches last_used_at
    fresh = scope_of(type(world.worker_a).objects.get(pk=world.worker_a.pk))
    with django_assert_num_queries(1):
        user = user_for_key(key)
        assert scope_of(user) == fresh and fresh.area_codes == (world.grid_a.code,)
    # A role made inactive is gone from the next look-up; no role at all is an empty scope.
    RoleAssignment.objects.filter(user=world.worker_a).update(active=False)
    assert scope_of(user_for_key(key)).empty
    assert user_for_key(key).pk == world.worker_a.pk
