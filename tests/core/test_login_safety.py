"""Login safety: password presets, lockout, idle expiry, demo accounts, bad input.

Messages that are Django's own (already translated) are checked in Chinese, the default language;
our own messages are checked in English (language cookie), so the tests keep passing once the
zh_Hans catalogue translates them.
"""

from __future__ import annotations

import datetime
import runpy
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.password_validation import get_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext
from freezegun import freeze_time

import gridgov.settings
from gridgov.core.middleware import SESSION_LAST_SEEN, SESSION_STARTED
from gridgov.core.models import User
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
WRONG_LOGIN_ZH = "请输入一个正确的用户名和密码。注意，两者都区分大小写。"


def english_client(**defaults: str) -> Client:
    client = Client(**defaults)
    client.cookies["gridgov_language"] = "en"
    return client


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: str):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- Password policy presets ------------------------------------------------------------------------


def preset_validators(monkeypatch, tmp_path, policy: str) -> tuple[list, int]:
    """The validators and maximum age the settings module builds for a policy, as it would at start."""
    monkeypatch.setenv("GRIDGOV_PASSWORD_POLICY", policy)
    monkeypatch.setenv("GRIDGOV_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GRIDGOV_PASSWORD_MAX_AGE_DAYS", raising=False)
    namespace = runpy.run_path(str(Path(gridgov.settings.__file__)))
    return (
        get_password_validators(namespace["AUTH_PASSWORD_VALIDATORS"]),
        namespace["GRIDGOV_PASSWORD_MAX_AGE_DAYS"],
    )


def refusal_codes(password: str, validators: list, user: User | None = None) -> set[str]:
    try:
        validate_password(password, user=user, password_validators=validators)
    except ValidationError as error:
        return {item.code for item in error.error_list}
    return set()


def test_dengbao3_preset_demands_length_three_classes_and_rotation(monkeypatch, tmp_path):
    validators, max_age = preset_validators(monkeypatch, tmp_path, "dengbao3")

    assert max_age == 90
    assert refusal_codes("Grid#2026", validators) == set()
    assert "password_too_short" in refusal_codes("Gr#2026", validators)
    assert refusal_codes("gridwork2026", validators) == {"password_too_simple"}  # 2 classes
    assert "password_entirely_numeric" in refusal_codes("20262026202", validators)
    assert "password_too_common" in refusal_codes("qwerty123456", validators)
    user = User(username="zhangwei2026", full_name="Zhang Wei")
    assert "password_too_similar" in refusal_codes("Zhangwei2026!", validators, user)


def test_asvs_preset_demands_length_and_an_uncommon_password_but_no_rotation(monkeypatch, tmp_path):
    validators, max_age = preset_validators(monkeypatch, tmp_path, "asvs")

    assert max_age == 0
    # A long passphrase of one character class is fine: ASVS asks for length, not composition.
    assert refusal_codes("plum blossoms in the old hutong", validators) == set()
    assert "password_too_short" in refusal_codes("Grid#2026xy", validators)  # 11 characters
    assert refusal_codes("a" * 64 + "b" * 65, validators) == {"password_too_long"}  # 129
    assert refusal_codes("a" * 64 + "b" * 64, validators) == set()  # 128
    assert "password_too_common" in refusal_codes("password1234", validators)


def test_an_unknown_preset_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("GRIDGOV_PASSWORD_POLICY", "weak")
    monkeypatch.setenv("GRIDGOV_DATA_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="GRIDGOV_PASSWORD_POLICY"):
        runpy.run_path(str(Path(gridgov.settings.__file__)))


# --- Lockout ----------------------------------------------------------------------------------------


def fail_five_times(client: Client, username: str, **extra: str) -> None:
    for attempt in range(1, 6):
        response = sign_in(client, username, "not-the-password", **extra)
        assert response.status_code == (429 if attempt == 5 else 200)


def test_five_wrong_passwords_lock_the_account_from_that_address(world):
    client = Client()
    response = sign_in(client, "worker_a", "not-the-password")
    assert response.status_code == 200
    assert WRONG_LOGIN_ZH in response.content.decode()

    for _ in range(4):
        sign_in(client, "worker_a", "not-the-password")
    response = sign_in(client, "worker_a", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page  # our page, in the user's language
    with translation.override("zh-hans"):
        assert gettext("Account locked") in page  # the default language, from our catalogue
    assert signed_in_user_id(client) is None
    world.worker_a.refresh_from_db()
    assert world.worker_a.last_login is None


def test_lockout_page_speaks_the_users_language_and_says_how_long(world):
    client = english_client()
    fail_five_times(client, "worker_a")

    response = sign_in(client, "worker_a", PASSWORD)

    assert response.status_code == 429
    assert response["Retry-After"] == "1800"
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Too many failed sign-in attempts for this account from this address." in page
    assert "Try again in 30 minutes" in page


def test_lockout_spares_other_addresses_and_other_accounts(world):
    fail_five_times(Client(), "worker_a")

    other_address = Client()
    response = sign_in(other_address, "worker_a", REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 302
    assert signed_in_user_id(other_address) == str(world.worker_a.pk)

    other_account = Client()
    assert sign_in(other_account, "worker_b").status_code == 302
    assert signed_in_user_id(other_account) == str(world.worker_b.pk)


def test_lockout_ends_after_the_cool_off(world):
    start = timezone.now()
    client = Client()
    with freeze_time(start):
        fail_five_times(client, "worker_a")
    with freeze_time(start + datetime.timedelta(minutes=29)):
        assert sign_in(client, "worker_a").status_code == 429
        assert signed_in_user_id(client) is None
    # Each attempt during the lockout restarts the cool-off (axes' default), so count from there.
    with freeze_time(start + datetime.timedelta(minutes=29 + 31)):
        response = sign_in(client, "worker_a")
        assert response.status_code == 302
        assert signed_in_user_id(client) == str(world.worker_a.pk)


def test_an_administrator_unlocks_with_the_command(world):
    fail_five_times(Client(), "worker_a")
    assert sign_in(Client(), "worker_a").status_code == 429

    call_command("axes_reset_username", "worker_a")

    client = Client()
    assert sign_in(client, "worker_a").status_code == 302
    assert signed_in_user_id(client) == str(world.worker_a.pk)


def test_an_administrator_sees_and_removes_lockouts_in_the_admin(world, login):
    fail_five_times(Client(), "worker_a")
    admin = login(world.admin)

    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "worker_a" in listing.content.decode()

    attempt = AccessAttempt.objects.get(username="worker_a")
    response = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert sign_in(Client(), "worker_a").status_code == 302


def test_failed_and_successful_sign_ins_stay_in_the_audit_trail_after_an_unlock(world):
    fail_five_times(Client(), "worker_a")
    call_command("axes_reset_username", "worker_a")
    sign_in(Client(), "worker_a")

    failures = AccessFailureLog.objects.filter(username="worker_a")
    assert failures.count() == 5
    assert failures.filter(locked_out=True).count() == 1
    assert set(failures.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    assert AccessLog.objects.filter(username="worker_a").count() == 1


def test_behind_a_proxy_the_lockout_counts_the_forwarded_address(world, settings):
    settings.GRIDGOV_PROXY_COUNT = 1  # nginx in front appends the client's address
    fail_five_times(Client(), "worker_a", HTTP_X_FORWARDED_FOR="203.0.113.5")

    # Another person behind the same proxy is not locked out...
    colleague = Client()
    assert sign_in(colleague, "worker_a", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
    # ...and the locked-out client cannot escape by writing another address in front.
    forged = Client()
    response = sign_in(forged, "worker_a", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5")
    assert response.status_code == 429
    assert signed_in_user_id(forged) is None


# --- Idle and over-long sessions ----------------------------------------------------------------------


def set_session(client: Client, **values: float) -> None:
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def test_an_idle_session_ends_and_the_login_page_says_why(world, login):
    client = login(world.worker_a)
    client.cookies["gridgov_language"] = "en"
    assert client.get("/").status_code == 200

    set_session(client, **{SESSION_LAST_SEEN: time.time() - 31 * 60})
    response = client.get("/areas/?page=2")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fareas%2F%3Fpage%3D2"
    assert signed_in_user_id(client) is None
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after a period of inactivity." in page
    assert client.get("/").status_code == 302  # still signed out


def test_a_session_used_within_the_timeout_stays_and_is_renewed(world, login):
    client = login(world.worker_a)
    earlier = time.time() - 29 * 60
    set_session(client, **{SESSION_LAST_SEEN: earlier})

    assert client.get("/").status_code == 200
    assert client.session[SESSION_LAST_SEEN] > earlier + 28 * 60


def test_the_idle_timeout_follows_the_setting(world, login, settings):
    settings.GRIDGOV_IDLE_TIMEOUT_MINUTES = 10
    client = login(world.worker_a)
    set_session(client, **{SESSION_LAST_SEEN: time.time() - 11 * 60})

    assert client.get("/").status_code == 302
    assert signed_in_user_id(client) is None


def test_an_idle_api_session_answers_401_in_json(world, login):
    client = login(world.worker_a)
    set_session(client, **{SESSION_LAST_SEEN: time.time() - 31 * 60})

    response = client.get("/", HTTP_ACCEPT="application/json")

    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"
    assert signed_in_user_id(client) is None


def test_a_busy_session_still_ends_after_twelve_hours(world, login):
    client = login(world.worker_a)
    client.cookies["gridgov_language"] = "en"
    set_session(
        client, **{SESSION_LAST_SEEN: time.time(), SESSION_STARTED: time.time() - 13 * 3600}
    )

    response = client.get("/")

    assert response.status_code == 302
    assert signed_in_user_id(client) is None
    page = client.get(response["Location"]).content.decode()
    assert "Your session reached its maximum length." in page


def test_an_htmx_request_of_an_idle_session_reloads_the_login_page(world, login):
    client = login(world.worker_a)
    set_session(client, **{SESSION_LAST_SEEN: time.time() - 31 * 60})

    response = client.get("/", HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


# --- Demo accounts ------------------------------------------------------------------------------------


def test_demo_accounts_are_refused_in_production(world, settings):
    UserFactory(username="demo_worker", is_demo=True)
    settings.PRODUCTION = True

    client = Client()
    response = sign_in(client, "demo_worker")

    assert response.status_code == 200
    assert WRONG_LOGIN_ZH in response.content.decode()  # no hint that the account exists
    assert signed_in_user_id(client) is None
    # Real accounts still sign in.
    assert sign_in(Client(), "worker_a").status_code == 302


def test_demo_accounts_sign_in_outside_production(world, settings):
    demo = UserFactory(username="demo_worker", is_demo=True)
    settings.PRODUCTION = False

    client = Client()
    assert sign_in(client, "demo_worker").status_code == 302
    assert signed_in_user_id(client) == str(demo.pk)


# --- Bad input --------------------------------------------------------------------------------------


def test_an_empty_login_form_names_the_missing_fields(world):
    client = Client()
    response = client.post(LOGIN, {})

    assert response.status_code == 200
    assert response.content.decode().count("这个字段是必填项。") == 2
    assert signed_in_user_id(client) is None
    assert AccessAttempt.objects.count() == 0  # not a password guess, so not counted


def test_a_login_form_without_csrf_token_is_refused_with_a_clear_message(world):
    client = english_client(enforce_csrf_checks=True)
    response = sign_in(client, "worker_a")

    assert response.status_code == 403
    assert "Your form expired or came from another site." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_an_unknown_account_gets_the_same_message_as_a_wrong_password(world):
    response = sign_in(Client(), "nobody", PASSWORD)

    assert response.status_code == 200
    assert WRONG_LOGIN_ZH in response.content.decode()


def test_login_does_not_follow_a_next_address_on_another_site(world):
    response = Client().post(
        LOGIN, {"username": "worker_a", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
