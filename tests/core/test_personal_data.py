"""Personal data: masked by default, revealed only with the permission, in scope, and audited;
never in clear in the database file, the logs or the audit log."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.http import Http404
from django.template import Context, Template
from django.test import RequestFactory

from gridgov.core.fields import BlindIndexField, EncryptedField
from gridgov.core.logging import JsonFormatter, RedactPersonalData, redact
from gridgov.core.masking import mask_id_number, mask_phone
from gridgov.core.models import User
from gridgov.core.personal_data import (
    personal_data_reveal,
    register_revealable,
)
from gridgov.core.scoping import ScopedQuerySet
from tests.processes import fresh_environment

ID_NUMBER = "110101199003074578"  # a valid GB 11643 number (check character 8)
PHONE = "13812345678"
REVEAL_URL = "/personal-data/reveal/"


class ProbeQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class Probe(models.Model):
    """A resident-like scoped model with encrypted identifiers, for these tests only."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No database constraint: the table outlives single tests, and a transactional test's flush
    # (TRUNCATE on PostgreSQL) must not be blocked by a foreign key from a table Django does not know.
    area = models.ForeignKey(
        "areas.Area", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    name = models.CharField(max_length=50)
    id_number = EncryptedField(kind="id_number", blind_index="id_number_index")
    id_number_index = BlindIndexField()
    phone = EncryptedField(kind="phone")

    objects = ProbeQuerySet.as_manager()

    class Meta:
        app_label = "gridgov_tests"  # not an installed app: no migration, no system check

    def __str__(self) -> str:
        return self.name


@pytest.fixture(scope="session")
def probe_table(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(Probe)
        # Committed once: a content type created inside a test would roll back while
        # ContentType's in-memory cache kept its id for the next test.
        ContentType.objects.get_for_model(Probe)
    register_revealable(Probe, "id_number", "phone")
    yield
    with django_db_blocker.unblock():
        ContentType.objects.filter(app_label="gridgov_tests").delete()
        ContentType.objects.clear_cache()
        with connection.schema_editor() as editor:
            editor.delete_model(Probe)


@pytest.fixture
def probe(world, probe_table) -> Probe:
    return Probe.objects.create(
        area=world.grid_a, name="居民张三", id_number=ID_NUMBER, phone=PHONE
    )


@pytest.fixture
def building_leader(world) -> User:
    """A volunteer building leader of grid A: sees the grid, may not reveal identifiers."""
    from gridgov.core.models import Role
    from tests.factories import UserFactory, assign

    user = UserFactory(username="building_leader", full_name="楼栋长")
    assign(user, Role.BUILDING_LEADER, world.grid_a)
    return user


def grant_reveal(user: User) -> None:
    user.user_permissions.add(
        Permission.objects.get(codename="reveal_personal_data", content_type__app_label="core")
    )


def entries() -> list[LogEntry]:
    return list(LogEntry.objects.filter(action=LogEntry.Action.ACCESS))


def assert_no_plaintext(text: str) -> None:
    assert ID_NUMBER not in text
    assert PHONE not in text
    assert "12345678" not in text


# --- masking -----------------------------------------------------------------------------------


def test_masks_match_the_house_format():
    assert mask_id_number(ID_NUMBER) == "110101********4578"
    assert mask_id_number("110101199001011234") == "110101********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


@pytest.mark.django_db
def test_masked_tag_shows_the_mask_and_offers_reveal_only_to_the_permitted(world, probe):
    template = Template('{% load personal_data %}{% masked obj "id_number" %}')
    request = RequestFactory().get("/")

    request.user = world.resident  # no reveal permission comes with the resident role
    plain = template.render(Context({"obj": probe, "request": request}))
    assert "110101********4578" in plain
    assert "hx-post" not in plain
    assert_no_plaintext(plain)

    grant_reveal(world.secretary)
    request.user = User.objects.get(pk=world.secretary.pk)
    offered = template.render(Context({"obj": probe, "request": request}))
    assert "110101********4578" in offered
    assert f'hx-post="{REVEAL_URL}"' in offered
    assert "gridgov_tests.probe" in offered
    assert_no_plaintext(offered)


@pytest.mark.django_db
def test_masked_tag_on_a_user_phone(world):
    world.officer.phone = PHONE
    world.officer.save()
    template = Template('{% load personal_data %}{% masked obj "phone" %}')
    request = RequestFactory().get("/")
    request.user = world.admin  # a superuser: may reveal users' phones
    html = template.render(Context({"obj": world.officer, "request": request}))
    assert "138****5678" in html and "hx-post" in html
    request.user = AnonymousUser()
    html = template.render(Context({"obj": world.officer, "request": request}))
    assert "138****5678" in html and "hx-post" not in html


# --- the reveal --------------------------------------------------------------------------------


def reveal(client, obj, field, **headers):
    return client.post(
        REVEAL_URL,
        {"model": obj._meta.label_lower, "pk": str(obj.pk), "field": field},
        **headers,
    )


@pytest.mark.django_db
def test_reveal_in_scope_with_permission_shows_the_value_and_audits_it(world, probe, login):
    grant_reveal(world.secretary)
    client = login(world.secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = reveal(client, probe, "id_number", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    body = response.content.decode()
    assert ID_NUMBER in body
    assert "logged" in body
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]

    [entry] = entries()
    assert entry.actor == world.secretary
    assert entry.remote_addr == "10.1.2.3"
    assert entry.object_pk == str(probe.pk)
    assert entry.content_type.model == "probe"
    assert entry.changes_dict == {"revealed": ["id_number", "******"]}
    assert_no_plaintext(json.dumps([entry.changes, entry.additional_data, entry.serialized_data]))
    assert_no_plaintext(entry.object_repr + entry.changes_text)


@pytest.mark.django_db
def test_reveal_answers_json_when_asked(world, probe, login):
    grant_reveal(world.officer)
    response = reveal(login(world.officer), probe, "phone", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {
        "model": "gridgov_tests.probe",
        "pk": str(probe.pk),
        "field": "phone",
        "value": PHONE,
        "logged": True,
    }
    assert len(entries()) == 1


@pytest.mark.django_db
def test_reveal_out_of_scope_is_404_and_logs_nothing(world, probe, login):
    grant_reveal(world.worker_b)  # permission, but grid B
    response = reveal(login(world.worker_b), probe, "id_number")
    assert response.status_code == 404
    assert ID_NUMBER not in response.content.decode()
    assert entries() == []


@pytest.mark.django_db
def test_reveal_without_permission_is_403_and_logs_nothing(world, probe, login, building_leader):
    response = reveal(login(building_leader), probe, "id_number")  # in scope, no permission
    assert response.status_code == 403
    assert ID_NUMBER not in response.content.decode()
    assert entries() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"model": "gridgov_tests.probe", "field": "name"},  # not encrypted
        {"model": "gridgov_tests.probe", "field": "id_number_index"},
        {"model": "gridgov_tests.probe", "field": "nonexistent"},
        {"model": "core.user", "field": "password"},
        {"model": "core.department", "field": "name"},
        {"model": "nope.nothing", "field": "phone"},
        {"model": "", "field": ""},
    ],
)
def test_reveal_outside_the_allow_list_is_404(world, probe, login, params):
    response = login(world.admin).post(REVEAL_URL, {"pk": str(probe.pk), **params})
    assert response.status_code == 404
    assert entries() == []


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["999999", "not-a-number", ""])
def test_reveal_of_a_missing_object_is_404(world, probe, login, pk):
    response = login(world.admin).post(
        REVEAL_URL, {"model": "gridgov_tests.probe", "pk": pk, "field": "phone"}
    )
    assert response.status_code == 404
    assert entries() == []


@pytest.mark.django_db
def test_user_phones_are_revealed_by_superusers_only(world, login):
    world.worker_a.phone = PHONE
    world.worker_a.save()
    grant_reveal(world.officer)  # the permission, but User has no scope: superusers only
    assert reveal(login(world.officer), world.worker_a, "phone").status_code == 404
    assert entries() == []
    response = reveal(login(world.admin), world.worker_a, "phone")
    assert response.status_code == 200
    assert PHONE in response.content.decode()
    [entry] = entries()
    assert entry.actor == world.admin and entry.remote_addr == "127.0.0.1"


@pytest.mark.django_db
def test_reveal_needs_a_session_and_a_post(world, probe, client, login):
    response = reveal(client, probe, "phone")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert login(world.admin).get(REVEAL_URL).status_code == 405
    assert entries() == []


@pytest.mark.django_db
def test_service_checks_scope_then_permission(world, probe, building_leader):
    with pytest.raises(Http404):
        personal_data_reveal(
            instance=probe, field_name="phone", actor=world.worker_b, remote_addr=None
        )
    with pytest.raises(PermissionDenied):
        personal_data_reveal(
            instance=probe, field_name="phone", actor=building_leader, remote_addr=None
        )
    with pytest.raises(Http404):
        personal_data_reveal(instance=probe, field_name="name", actor=world.admin, remote_addr=None)
    assert entries() == []
    value = personal_data_reveal(
        instance=probe, field_name="phone", actor=world.admin, remote_addr="192.0.2.1"
    )
    assert value == PHONE
    [entry] = entries()
    assert (entry.actor, entry.remote_addr) == (world.admin, "192.0.2.1")


# --- the audit log holds no plaintext ------------------------------------------------------------


@pytest.mark.django_db
def test_audit_entries_of_a_phone_change_hold_no_plaintext(world):
    user = User.objects.create_user("phoneuser", phone=PHONE, full_name="某人")
    user = User.objects.get(pk=user.pk)
    user.phone = "13987654321"
    user.save()
    logged = list(LogEntry.objects.get_for_object(user).order_by("pk"))
    assert [entry.action for entry in logged] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert logged[1].changes_dict["phone"] == ["******", "******"]
    assert "phone_index" not in logged[0].changes_dict
    for entry in logged:
        text = json.dumps(
            [entry.changes, entry.serialized_data, entry.additional_data], ensure_ascii=False
        )
        text += entry.changes_text + entry.object_repr
        assert_no_plaintext(text)
        assert "13987654321" not in text and "87654321" not in text


# --- logs --------------------------------------------------------------------------------------


def test_redact_masks_ids_and_phones_in_any_spelling():
    line = (
        f"id={ID_NUMBER} idx=11010119900307457X m={PHONE} +86 138 1234 5678 "
        "8613812345678 138-1234-5678 order 9876543210987654321098 tel 010-12345678"
    )
    redacted = redact(line)
    assert "110101********4578" in redacted
    assert "110101********457X" in redacted
    assert "138****5678" in redacted
    assert_no_plaintext(redacted)
    assert "1234 5678" not in redacted and "1234-5678" not in redacted
    assert "010-****5678" in redacted
    assert "9876543210987654321098" in redacted  # a long number that is neither stays


def test_the_log_filter_redacts_messages_args_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalData())
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("gridgov.tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("resident %s called from %s", ID_NUMBER, PHONE)
        logger.warning("dict %(phone)s", {"phone": PHONE})
        try:
            raise ValueError(f"bad phone {PHONE} for {ID_NUMBER}")
        except ValueError:
            logger.exception("lookup failed")
        logger.info("stack", stack_info=True, extra={"path": f"/search?q={PHONE}"})
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "110101********4578" in output and "138****5678" in output
    assert "ValueError: bad phone 138****5678" in output
    assert_no_plaintext(output)


def test_the_json_formatter_redacts_too():
    formatter = JsonFormatter()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "call %s", (PHONE,), None)
    record.path = f"/residents/?id={ID_NUMBER}"
    try:
        raise RuntimeError(ID_NUMBER)
    except RuntimeError:
        record.exc_info = sys.exc_info()
    line = formatter.format(record)
    assert_no_plaintext(line)
    assert json.loads(line)["message"] == "call 138****5678"


# --- the database file -------------------------------------------------------------------------

_SCRIPT = textwrap.dedent(
    """
    import json, logging, uuid
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection, models
    from gridgov.areas.models import Area, AreaLevel
    from gridgov.core.fields import BlindIndexField, EncryptedField, lookup_index
    from gridgov.core.models import User

    call_command("migrate", verbosity=0, interactive=False)

    class Resident(models.Model):
        uid = models.UUIDField(default=uuid.uuid4, unique=True)
        name = models.CharField(max_length=50)
        id_number = EncryptedField(kind="id_number", blind_index="id_number_index")
        id_number_index = BlindIndexField()
        phone = EncryptedField(kind="phone")

        class Meta:
            app_label = "gridgov_tests"

    with connection.schema_editor() as editor:
        editor.create_model(Resident)

    people = json.loads(PEOPLE)
    for n, (id_number, phone) in enumerate(people):
        User.objects.create_user(f"user{n}", phone=phone, full_name=f"用户{n}")
        Resident.objects.create(name=f"居民{n}", id_number=id_number, phone=phone)
    changed = User.objects.get(username="user0")
    changed.phone = people[1][1]
    changed.save()
    logging.getLogger("gridgov.probe").warning("imported %s with phone %s", people[0][0], people[0][1])

    read = {
        "users": [User.objects.get(username=f"user{n}").phone for n in range(len(people))],
        "residents": [[r.id_number, r.phone] for r in Resident.objects.order_by("pk")],
        "found": Resident.objects.filter(
            id_number_index=lookup_index(Resident, "id_number", people[2][0])
        ).count(),
    }
    print("RESULT" + json.dumps(read))
    """
)


HEX = {bytes([c]) for c in b"0123456789abcdefABCDEF"}


def _check_character(first17: str) -> str:
    from gridgov.core.identifiers import id_number_check_character

    return id_number_check_character(first17)


@pytest.mark.slow
def test_the_database_file_holds_no_plain_identifiers(tmp_path):
    people = []
    for n in range(5):
        first17 = f"11010119{80 + n}0{n + 1}0{n + 1}12{n}"
        people.append([first17 + _check_character(first17), f"1391234{n:04d}"])
    environment = fresh_environment(
        tmp_path, DJANGO_SETTINGS_MODULE="gridgov.settings", PEOPLE=json.dumps(people)
    )
    script = "import os; PEOPLE = os.environ['PEOPLE']\n" + _SCRIPT
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.split("RESULT", 1)[1])
    # Read back through the ORM: intact (user0's phone was changed to user1's).
    assert result["users"] == [people[1][1]] + [phone for _, phone in people[1:]]
    assert result["residents"] == people
    assert result["found"] == 1

    files = [
        tmp_path / name
        for name in ("gridgov.sqlite3", "gridgov.sqlite3-wal", "gridgov.sqlite3-shm")
    ]
    raw = b"".join(path.read_bytes() for path in files if path.exists())
    assert len(raw) > 100_000  # the real database, with its tables
    # The values are there, as ciphertext: 5 users + 5 residents × 2 fields.
    assert raw.count(b"g1:1:aes-256-gcm:") >= 15
    for id_number, phone in people:
        for secret in (id_number, phone, phone[3:], id_number[6:14] + id_number[14:]):
            assert secret.encode() not in raw, secret
            assert secret.encode("utf-16-le") not in raw, secret
    # No run of 11 digits that looks like a mobile number anywhere in the file, other than inside
    # a 32-digit hexadecimal key (a UUID such as a row's ``uid`` holds such a run about once in
    # a thousand keys: this test failed on one in CI).
    for found in re.finditer(rb"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", raw):
        start, end = found.span()
        while start > 0 and raw[start - 1 : start] in HEX:
            start -= 1
        while end < len(raw) and raw[end : end + 1] in HEX:
            end += 1
        assert end - start >= 32, raw[max(0, start - 40) : end + 40]
    # The console log of that run (development: plain lines on stderr) is redacted as well.
    for id_number, phone in people:
        assert id_number not in done.stderr and phone not in done.stderr
    assert "imported 110101" in done.stderr


def test_every_id_number_and_phone_field_of_the_platform_is_revealable_and_nothing_else():
    from django.apps import apps

    from gridgov.core.fields import encrypted_fields
    from gridgov.core.personal_data import revealable_field

    checked = 0
    for model in apps.get_models():
        for field in encrypted_fields(model):
            if field.kind in ("id_number", "phone"):
                assert revealable_field(model, field.name) is field
                checked += 1
            else:
                with pytest.raises(Http404):
                    revealable_field(model, field.name)
        for field in model._meta.concrete_fields:
            if not isinstance(field, EncryptedField):
                with pytest.raises(Http404):
                    revealable_field(model, field.name)
    assert checked >= 1  # at least User.phone
