"""Signing in with a phone and a one-time code: the code travels through the notification
interface (the log backend here), is stored hashed, expires, allows a few tries, and requests are
limited per phone and per address."""

from __future__ import annotations

import datetime
import logging
import re

import pytest
from django.utils import timezone

from gridgov.core.fields import lookup_index
from gridgov.core.models import Role, RoleAssignment, User
from gridgov.notifications.models import Delivery
from gridgov.resident import signin
from gridgov.resident.models import SignInCode
from tests.resident.conftest import RESIDENT_PHONE

PHONE = "13700001234"


def sign_in_code_from_log(caplog) -> str:
    for record in reversed(caplog.records):
        if record.name == "gridgov.notifications" and "sign_in_code" in record.getMessage():
            return re.search(r'"code": "(\d{6})"', record.getMessage()).group(1)
    raise AssertionError("no sign-in code in the log")


def ask_code(client, phone=PHONE, **extra):
    return client.post("/m/login/", {"phone": phone}, **extra)


def test_a_new_phone_signs_in_with_the_code_from_the_log_and_becomes_a_resident(
    world, client, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="gridgov.notifications")
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_code(client)
    assert response.status_code == 302 and response["Location"] == "/m/login/code/"
    page = client.get("/m/login/code/").content.decode()
    assert "137****1234" in page and PHONE not in page
    code = sign_in_code_from_log(caplog)

    # Only a keyed hash of the code is stored; the delivery went out and keeps no secret.
    row = SignInCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    delivery = Delivery.objects.get(template="sign_in_code")
    assert delivery.status == "sent" and delivery.secret_params == ""

    response = client.post("/m/login/code/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/m/"
    user = User.objects.get(phone_index=lookup_index(User, "phone", PHONE))
    assert user.phone == PHONE and not user.has_usable_password()
    assignment = RoleAssignment.objects.get(user=user)
    assert assignment.role == Role.RESIDENT and assignment.area == world.district
    assert client.get("/m/mine/").status_code == 200
    # A used code cannot sign in a second time.
    other = type(client)()
    other.session  # noqa: B018
    assert signin.code_verify(code_id=row.pk, code=code).outcome is signin.Check.EXPIRED


def test_an_existing_account_is_found_by_its_phone(world, phone_resident):
    row, code = signin.code_request(phone=RESIDENT_PHONE, address="10.0.0.1")
    result = signin.code_verify(code_id=row.pk, code=code)
    assert result.outcome is signin.Check.ACCEPTED
    assert result.user == phone_resident and not result.created


def test_a_wrong_code_says_how_many_tries_are_left_then_too_many(world, client):
    row, code = signin.code_request(phone=PHONE, address="10.0.0.1")
    wrong = "000000" if code != "000000" else "111111"
    session = client.session
    session["gridgov_resident_code"] = {"code": row.pk, "to": "137****1234", "next": "/m/"}
    session.save()
    response = client.post("/m/login/code/", {"code": wrong})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode() and "2" in response.content.decode()
    client.post("/m/login/code/", {"code": wrong})
    response = client.post("/m/login/code/", {"code": wrong})
    assert response.status_code == 429
    assert "错误次数过多" in response.content.decode()
    # Even the right code is refused now: the tries are used up.
    response = client.post("/m/login/code/", {"code": code})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(phone_index=lookup_index(User, "phone", PHONE)).exists()


def test_an_expired_code_is_refused(world):
    past = timezone.now() - datetime.timedelta(minutes=6)
    row, code = signin.code_request(phone=PHONE, address="10.0.0.1", now=past)
    result = signin.code_verify(code_id=row.pk, code=code)
    assert result.outcome is signin.Check.EXPIRED
    assert "已过期" in result.message()
    assert not User.objects.filter(phone_index=lookup_index(User, "phone", PHONE)).exists()


def test_only_the_latest_code_of_a_phone_works(world):
    earlier = timezone.now() - datetime.timedelta(minutes=2)
    first, first_code = signin.code_request(phone=PHONE, address="10.0.0.1", now=earlier)
    second, second_code = signin.code_request(phone=PHONE, address="10.0.0.1")
    assert signin.code_verify(code_id=first.pk, code=first_code).outcome is signin.Check.EXPIRED
    assert signin.code_verify(code_id=second.pk, code=second_code).outcome is signin.Check.ACCEPTED


def test_a_second_code_within_the_interval_is_refused_with_the_wait(world, client):
    assert ask_code(client).status_code == 302
    response = ask_code(client)
    assert response.status_code == 429
    assert "秒后再" in response.content.decode()
    assert SignInCode.objects.count() == 1


def test_too_many_codes_per_phone_in_an_hour(world):
    start = timezone.now() - datetime.timedelta(minutes=50)
    for minutes in (0, 2, 4):
        signin.code_request(
            phone=PHONE,
            address=f"10.0.0.{minutes}",
            now=start + datetime.timedelta(minutes=minutes),
        )
    with pytest.raises(signin.CodeRefused) as refused:
        signin.code_request(phone=PHONE, address="10.0.0.9")
    assert refused.value.code == "phone_limit"
    assert "过于频繁" in refused.value.message or "次数过多" in refused.value.message
    assert SignInCode.objects.count() == 3


def test_too_many_codes_from_one_address_in_an_hour(world, client):
    for index in range(5):
        response = ask_code(client, phone=f"1370000{index:04d}")
        assert response.status_code == 302, response.content.decode()[:300]
    response = ask_code(client, phone="13700009999")
    assert response.status_code == 429
    assert "网络" in response.content.decode()
    assert SignInCode.objects.count() == 5


def test_a_bad_number_is_refused_and_not_echoed(world, client):
    response = ask_code(client, phone="12345")
    assert response.status_code == 400
    assert "11 位手机号" in response.content.decode() or "11位手机号" in response.content.decode()
    assert 'value="12345"' not in response.content.decode()
    assert SignInCode.objects.count() == 0


def test_staff_phones_keep_the_password_sign_in(world, client):
    world.worker_a.phone = "13600001111"
    world.worker_a.save()
    response = ask_code(client, phone="13600001111")
    assert response.status_code == 429
    assert "工作人员" in response.content.decode()
    assert SignInCode.objects.count() == 0 and Delivery.objects.count() == 0


def test_the_code_page_without_a_pending_code_goes_back_to_the_phone(world, client):
    response = client.get("/m/login/code/")
    assert response.status_code == 302 and response["Location"] == "/m/login/"
