"""The account admin and forced password changes: accounts an administrator creates or resets must
choose their own password; passwords older than the policy allows must be changed; the admin never
shows a phone number in plain text."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from gridgov.core.fields import lookup_index
from gridgov.core.models import Role, RoleAssignment, User
from tests.factories import PASSWORD

ADMIN_SET_PASSWORD = "Start#2026pw"
NEW_PASSWORD = "Mine#2026pass"
PHONE = "13812345678"
PHONE_MASKED = "138****5678"


def english(client: Client) -> Client:
    client.cookies["gridgov_language"] = "en"
    return client


def sign_in(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def add_account(admin: Client, world, **overrides: str):
    data = {
        "username": "new_worker",
        "full_name": "新网格员",
        "new_phone": PHONE,
        "usable_password": "true",
        "password1": ADMIN_SET_PASSWORD,
        "password2": ADMIN_SET_PASSWORD,
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-role": Role.GRID_WORKER,
        "assignments-0-area": str(world.grid_a.pk),
        "assignments-0-department": "",
        "assignments-0-worker_kind": "full_time",
        "assignments-0-active": "on",
        "_save": "Save",
    }
    data.update(overrides)
    return admin.post("/admin/core/user/add/", data)


# --- Accounts made in the admin -----------------------------------------------------------------------


def test_an_account_added_in_the_admin_must_change_its_password(world, login):
    admin = login(world.admin)

    response = add_account(admin, world)

    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="new_worker")
    assert user.must_change_password
    assert user.full_name == "新网格员"
    assert user.phone == PHONE
    assert user.phone_index == lookup_index(User, "phone", PHONE)
    assert RoleAssignment.objects.filter(
        user=user, role=Role.GRID_WORKER, area=world.grid_a
    ).exists()


def test_the_admin_refuses_a_malformed_phone_number(world, login):
    admin = english(login(world.admin))

    response = add_account(admin, world, new_phone="12345")

    assert response.status_code == 200
    assert "Enter an 11-digit mobile number or a landline with area code." in (
        response.content.decode()
    )
    assert not User.objects.filter(username="new_worker").exists()


def test_first_login_goes_to_the_password_page_until_changed(world, login):
    add_account(login(world.admin), world)
    client = english(Client())

    assert sign_in(client, "new_worker", ADMIN_SET_PASSWORD).status_code == 302
    for path in ("/", "/areas/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/password/"
    api = client.get("/areas/", HTTP_ACCEPT="application/json")
    assert (api.status_code, api.json()["code"]) == (403, "password_change_required")

    page = client.get("/accounts/password/").content.decode()
    assert "An administrator set your password. Choose your own before you continue." in page


def test_the_password_page_enforces_the_policy_and_keeps_the_flag_on_refusal(world, login):
    add_account(login(world.admin), world)
    client = english(Client())
    sign_in(client, "new_worker", ADMIN_SET_PASSWORD)

    weak = client.post(
        "/accounts/password/",
        {
            "old_password": ADMIN_SET_PASSWORD,
            "new_password1": "abc12345",
            "new_password2": "abc12345",
        },
    )
    same = client.post(
        "/accounts/password/",
        {
            "old_password": ADMIN_SET_PASSWORD,
            "new_password1": ADMIN_SET_PASSWORD,
            "new_password2": ADMIN_SET_PASSWORD,
        },
    )
    wrong_old = client.post(
        "/accounts/password/",
        {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert weak.status_code == 200
    assert "This password is too common." in weak.content.decode()
    assert same.status_code == 200
    assert "Your new password must differ from the current one." in same.content.decode()
    assert wrong_old.status_code == 200
    assert "Your old password was entered incorrectly." in wrong_old.content.decode()
    user = User.objects.get(username="new_worker")
    assert user.must_change_password
    assert user.check_password(ADMIN_SET_PASSWORD)
    assert client.get("/").status_code == 302


def test_a_good_new_password_clears_the_flag_and_keeps_the_session(world, login):
    add_account(login(world.admin), world)
    client = english(Client())
    sign_in(client, "new_worker", ADMIN_SET_PASSWORD)
    before = timezone.now()

    response = client.post(
        "/accounts/password/",
        {
            "old_password": ADMIN_SET_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )

    assert response.redirect_chain[0] == ("/", 302)
    assert response.status_code == 200
    assert "Your password has been changed." in response.content.decode()
    user = User.objects.get(username="new_worker")
    assert not user.must_change_password
    assert user.check_password(NEW_PASSWORD)
    assert user.password_changed_at >= before
    assert client.get("/areas/").status_code == 200


def test_a_password_reset_by_an_administrator_must_be_changed_again(world, login):
    admin = login(world.admin)

    response = admin.post(
        f"/admin/core/user/{world.worker_a.pk}/password/",
        {
            "usable_password": "true",
            "password1": ADMIN_SET_PASSWORD,
            "password2": ADMIN_SET_PASSWORD,
        },
    )

    assert response.status_code == 302
    world.worker_a.refresh_from_db()
    assert world.worker_a.must_change_password
    assert world.worker_a.check_password(ADMIN_SET_PASSWORD)


# --- Periodic change (等保 dengbao3) ---------------------------------------------------------------------


def age_password(user: User, days: int) -> None:
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_a_password_older_than_the_maximum_age_must_be_changed(world, login, settings):
    settings.GRIDGOV_PASSWORD_MAX_AGE_DAYS = 90
    age_password(world.worker_a, 91)
    client = english(login(world.worker_a))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/"
    page = client.get("/accounts/password/").content.decode()
    assert "Your password is more than 90 days old." in page

    client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert client.get("/").status_code == 200


def test_a_password_within_the_maximum_age_is_left_alone(world, login, settings):
    settings.GRIDGOV_PASSWORD_MAX_AGE_DAYS = 90
    age_password(world.worker_a, 89)

    assert login(world.worker_a).get("/").status_code == 200


def test_without_a_maximum_age_no_rotation_is_forced(world, login, settings):
    settings.GRIDGOV_PASSWORD_MAX_AGE_DAYS = 0  # the "asvs" preset
    age_password(world.worker_a, 3650)

    assert login(world.worker_a).get("/").status_code == 200


# --- What the admin shows -------------------------------------------------------------------------------


def give_phone(user: User) -> None:
    user.phone = PHONE
    user.save(update_fields=["phone", "phone_index"])


def test_the_user_list_shows_the_phone_masked(world, login):
    give_phone(world.worker_a)
    page = login(world.admin).get("/admin/core/user/").content.decode()

    assert PHONE_MASKED in page
    assert PHONE not in page
    assert "网格员甲" in page


def test_the_user_form_never_holds_the_stored_phone(world, login):
    give_phone(world.worker_a)
    page = login(world.admin).get(f"/admin/core/user/{world.worker_a.pk}/change/").content.decode()

    assert PHONE_MASKED in page
    assert PHONE not in page
    assert 'name="new_phone"' in page
    assert 'name="phone"' not in page


def test_saving_the_user_form_keeps_the_phone_unless_a_new_one_is_given(world, login):
    give_phone(world.worker_a)
    admin = login(world.admin)
    form = {
        "username": "worker_a",
        "full_name": "网格员甲",
        "email": "",
        "new_phone": "",
        "is_active": "on",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    # The role assignment of worker A is an existing inline row: send it back unchanged.
    assignment = RoleAssignment.objects.get(user=world.worker_a)
    form.update(
        {
            "assignments-TOTAL_FORMS": "1",
            "assignments-INITIAL_FORMS": "1",
            "assignments-0-id": str(assignment.pk),
            "assignments-0-user": str(world.worker_a.pk),
            "assignments-0-role": assignment.role,
            "assignments-0-area": str(assignment.area_id),
            "assignments-0-department": "",
            "assignments-0-worker_kind": "",
            "assignments-0-active": "on",
        }
    )

    kept = admin.post(f"/admin/core/user/{world.worker_a.pk}/change/", form)
    assert kept.status_code == 302, kept.content.decode()[:3000]
    assert User.objects.get(pk=world.worker_a.pk).phone == PHONE

    changed = admin.post(
        f"/admin/core/user/{world.worker_a.pk}/change/", {**form, "new_phone": "139 0000 1111"}
    )
    assert changed.status_code == 302
    assert User.objects.get(pk=world.worker_a.pk).phone == "13900001111"


def test_the_admin_finds_a_user_by_phone_number(world, login):
    give_phone(world.worker_a)
    page = login(world.admin).get("/admin/core/user/", {"q": PHONE}).content.decode()

    assert "网格员甲" in page
    assert "网格员乙" not in page


def test_the_department_admin_lists_departments(world, login):
    page = login(world.admin).get("/admin/core/department/").content.decode()

    assert "和平街道城管执法队" in page


def test_the_admin_login_page_sends_to_our_login(world):
    response = Client().get("/admin/login/", {"next": "/admin/core/user/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/core/user/"


def test_non_staff_cannot_open_the_user_admin(world, login):
    client = english(login(world.worker_a))

    response = client.get("/admin/core/user/", follow=True)

    assert response.status_code == 403
    assert "You do not have permission to do this." in response.content.decode()
