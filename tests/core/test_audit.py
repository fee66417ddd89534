"""The audit log: who, when, what and from where; read-only everywhere; kept at least 180 days."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import re

import pytest
from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db.models.signals import pre_save
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import include, path
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.core.audit import check_audit_retention
from gridgov.core.models import Department, DepartmentKind
from gridgov.core.navigation import modules_for

pytestmark = pytest.mark.django_db


# A view that writes audited data, behind the real middleware stack (this module is the URLconf
# of the tests marked ``urls``).
def rename_department(request: HttpRequest, pk: int) -> HttpResponse:
    department = Department.objects.visible_to(request.user).get(pk=pk)
    department.name = request.POST["name"]
    department.save(update_fields=["name"])
    return HttpResponse("ok")


urlpatterns = [
    path("test/rename-department/<int:pk>/", rename_department),
    path("", include("gridgov.urls")),
]
handler403 = "gridgov.core.views.errors.permission_denied"
handler404 = "gridgov.core.views.errors.page_not_found"

OUR_MIDDLEWARE = "gridgov.core.audit.AuditContextMiddleware"


def use_our_middleware(settings) -> None:
    settings.MIDDLEWARE = [
        OUR_MIDDLEWARE if name == "auditlog.middleware.AuditlogMiddleware" else name
        for name in settings.MIDDLEWARE
    ]


def department_entries(department: Department) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(department).order_by("pk"))


# --- what is recorded --------------------------------------------------------------------------


def test_create_update_delete_are_recorded(world):
    department = Department.objects.create(
        name="市场监管所", kind=DepartmentKind.MARKET_SUPERVISION, area=world.street
    )
    department.name = "市场监督管理所"
    department.save(update_fields=["name"])
    pk = department.pk
    department.delete()
    logged = list(
        LogEntry.objects.filter(content_type__model="department", object_pk=str(pk)).order_by("pk")
    )
    assert [entry.action for entry in logged] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.DELETE,
    ]
    assert logged[1].changes_dict == {"name": ["市场监管所", "市场监督管理所"]}
    assert all(entry.actor is None for entry in logged)  # no request: a system write


@pytest.mark.urls(__name__)
def test_a_write_through_a_view_records_actor_and_address(world, login):
    client = login(world.officer)
    response = client.post(
        f"/test/rename-department/{world.department.pk}/",
        {"name": "城管执法中队"},
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 200
    [entry] = [
        e for e in department_entries(world.department) if e.action == LogEntry.Action.UPDATE
    ]
    assert entry.actor == world.officer
    assert entry.remote_addr == "10.20.30.40"
    assert entry.changes_dict == {"name": ["和平街道城管执法队", "城管执法中队"]}
    assert entry.timestamp > timezone.now() - datetime.timedelta(minutes=1)


@pytest.mark.urls(__name__)
def test_our_middleware_ignores_a_forged_forwarded_for(world, login, settings):
    use_our_middleware(settings)
    settings.GRIDGOV_PROXY_COUNT = 0
    client = login(world.officer)
    client.post(
        f"/test/rename-department/{world.department.pk}/",
        {"name": "A"},
        REMOTE_ADDR="10.0.0.7",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    # Behind one proxy of ours: the entry our proxy appended, not what the client wrote.
    settings.GRIDGOV_PROXY_COUNT = 1
    client.post(
        f"/test/rename-department/{world.department.pk}/",
        {"name": "B"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",
    )
    updates = [
        e for e in department_entries(world.department) if e.action == LogEntry.Action.UPDATE
    ]
    assert [(e.actor, e.remote_addr) for e in updates] == [
        (world.officer, "10.0.0.7"),
        (world.officer, "203.0.113.9"),
    ]


@pytest.mark.urls(__name__)
def test_a_request_leaves_the_save_receivers_and_the_audit_context_as_it_found_them(world, login):
    client = login(world.officer)
    world.street.save()  # the receivers of an Area's pre_save, looked up once and cached
    receivers = list(pre_save.receivers)
    before = auditlog_value.set({"outside": "a request"})
    try:
        response = client.post(
            f"/test/rename-department/{world.department.pk}/", {"name": "C"}, REMOTE_ADDR="10.9.8.7"
        )
        assert response.status_code == 200
        # Nothing was connected or disconnected, so the cached look-ups were kept.
        assert pre_save.receivers == receivers
        assert Area in pre_save.sender_receivers_cache
        assert auditlog_value.get() == {"outside": "a request"}
    finally:
        auditlog_value.reset(before)
    [entry] = [
        e for e in department_entries(world.department) if e.action == LogEntry.Action.UPDATE
    ]
    assert (entry.actor, entry.remote_addr) == (world.officer, "10.9.8.7")


def test_phone_changes_are_recorded_masked_and_blind_indexes_left_out(world):
    world.worker_a.phone = "13812345678"
    world.worker_a.save()
    [entry] = [
        e
        for e in LogEntry.objects.get_for_object(world.worker_a)
        if e.action == LogEntry.Action.UPDATE
    ]
    assert entry.changes_dict == {"phone": ["******", "******"]}
    assert "5678" not in json.dumps(entry.changes)


# --- the console page --------------------------------------------------------------------------


def make_entries(world, count: int) -> None:
    for n in range(count):
        LogEntry.objects.log_create(
            world.department,
            action=LogEntry.Action.UPDATE,
            changes={"name": [f"old {n}", f"new {n}"]},
            actor=world.officer,
            remote_addr="192.0.2.1",
        )


def test_audit_page_is_for_those_allowed(world, login, client):
    assert client.get("/audit/").status_code == 302
    assert login(world.worker_a).get("/audit/").status_code == 403
    assert login(world.officer).get("/audit/").status_code == 403
    world.officer.user_permissions.add(
        Permission.objects.get(codename="view_logentry", content_type__app_label="auditlog")
    )
    assert login(world.officer).get("/audit/").status_code == 200
    assert login(world.admin).get("/audit/").status_code == 200


def test_audit_page_lists_and_paginates(world, login, django_assert_max_num_queries):
    make_entries(world, 60)
    client = login(world.admin)
    with django_assert_max_num_queries(12):
        response = client.get("/audit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("data-entry=") == 50
    assert "new 59" in page and "192.0.2.1" in page and "officer" in page
    second = client.get("/audit/?page=2").content.decode()
    assert second.count("data-entry=") == LogEntry.objects.count() - 50


def entry_ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-entry="(\d+)"', response.content.decode())}


def test_audit_page_filters(world, login):
    make_entries(world, 3)
    LogEntry.objects.log_create(
        world.grid_a,
        action=LogEntry.Action.ACCESS,
        changes={"revealed": ["phone", "******"]},
        actor=world.secretary,
        remote_addr="198.51.100.7",
        force_log=True,
    )
    old = LogEntry.objects.filter(actor=world.officer).order_by("pk").first()
    LogEntry.objects.filter(pk=old.pk).update(
        timestamp=timezone.now() - datetime.timedelta(days=40)
    )
    client = login(world.admin)
    everything = set(LogEntry.objects.values_list("pk", flat=True))
    access = set(
        LogEntry.objects.filter(action=LogEntry.Action.ACCESS).values_list("pk", flat=True)
    )
    by_officer = set(LogEntry.objects.filter(actor=world.officer).values_list("pk", flat=True))
    area_type = LogEntry.objects.get(pk=min(access)).content_type_id

    assert entry_ids(client.get("/audit/")) == everything
    assert entry_ids(client.get("/audit/", {"actor": "secret"})) == access
    assert entry_ids(client.get("/audit/", {"action": LogEntry.Action.ACCESS})) == access
    assert entry_ids(client.get("/audit/", {"remote_addr": "198.51.100.7"})) == access
    assert entry_ids(client.get("/audit/", {"object_type": area_type})) >= access
    assert entry_ids(
        client.get("/audit/", {"object_type": area_type, "object_id": str(world.grid_a.pk)})
    ) == set(
        LogEntry.objects.filter(
            content_type_id=area_type, object_pk=str(world.grid_a.pk)
        ).values_list("pk", flat=True)
    )
    today = timezone.localdate()
    recent = client.get("/audit/", {"actor": "officer", "date_from": today.isoformat()})
    assert entry_ids(recent) == by_officer - {old.pk}
    older = client.get(
        "/audit/",
        {"actor": "officer", "date_to": (today - datetime.timedelta(days=30)).isoformat()},
    )
    assert entry_ids(older) == {old.pk}
    # An invalid filter shows nothing rather than everything.
    assert entry_ids(client.get("/audit/", {"remote_addr": "not an address"})) == set()


def test_navigation_entry_only_for_those_allowed(world):
    from gridgov.core.nav import register_navigation

    register_navigation()
    request = RequestFactory().get("/")
    request.user = world.admin
    admin_urls = [e["url"] for m in modules_for(request) for e in m["entries"]]
    assert "/audit/" in admin_urls
    request.user = world.worker_a
    worker_urls = [e["url"] for m in modules_for(request) for e in m["entries"]]
    assert "/audit/" not in worker_urls


# --- nobody edits or deletes an entry ------------------------------------------------------------


def test_admin_is_read_only_even_for_superusers(world, login):
    from gridgov.core import admin_audit

    admin_audit.install()
    model_admin = admin.site._registry[LogEntry]
    assert isinstance(model_admin, admin_audit.ReadOnlyLogEntryAdmin)
    request = RequestFactory().get("/admin/")
    request.user = world.admin
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)

    make_entries(world, 2)
    entry = LogEntry.objects.order_by("pk").first()
    count = LogEntry.objects.count()
    client = login(world.admin)
    base = "/admin/auditlog/logentry/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{entry.pk}/change/").status_code == 200  # view only
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{base}{entry.pk}/change/", {"action": "0", "changes_text": "forged"})
    client.post(base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert LogEntry.objects.count() >= count
    entry.refresh_from_db()
    assert entry.changes_text == ""
    assert LogEntry.objects.filter(pk=entry.pk).exists()


# --- retention and archive ---------------------------------------------------------------------


def age(entries, days: int) -> None:
    LogEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
        timestamp=timezone.now() - datetime.timedelta(days=days)
    )


def test_archive_moves_old_entries_to_a_checksummed_file_and_keeps_recent_ones(
    world, settings, tmp_path, capsys
):
    settings.DATA_DIR = tmp_path
    make_entries(world, 5)
    logged = list(LogEntry.objects.filter(actor=world.officer).order_by("pk"))
    old, recent_but_old_enough_to_keep = logged[:3], logged[3:4]
    age(old, 200)
    age(recent_but_old_enough_to_keep, 170)
    old_ids = sorted(e.pk for e in old)
    kept_before = set(LogEntry.objects.exclude(pk__in=old_ids).values_list("pk", flat=True))

    call_command("audit_archive")

    output = capsys.readouterr().out
    [archive] = list((tmp_path / "archive").glob("audit-*.jsonl.gz"))
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert f"SHA-256 {digest}" in output
    assert (
        archive.parent / (archive.name + ".sha256")
    ).read_text() == f"{digest}  {archive.name}\n"
    lines = [json.loads(line) for line in gzip.decompress(archive.read_bytes()).splitlines()]
    assert [line["id"] for line in lines] == old_ids
    first = lines[0]
    assert first["action_name"] == "update"
    assert first["actor_username"] == "officer"
    assert first["remote_addr"] == "192.0.2.1"
    assert first["content_type"] == "core.department"
    assert first["changes"] == {"name": ["old 0", "new 0"]}
    # Exactly those entries left the database; the others stay; the archive itself is recorded.
    assert not LogEntry.objects.filter(pk__in=old_ids).exists()
    assert kept_before <= set(LogEntry.objects.values_list("pk", flat=True))
    record = LogEntry.objects.get(additional_data__archive=archive.name)
    assert record.additional_data["sha256"] == digest
    assert record.additional_data["entries"] == 3
    # Nothing older is left: a second run archives nothing.
    call_command("audit_archive")
    assert len(list((tmp_path / "archive").glob("audit-*.jsonl.gz"))) == 1


def test_archive_writes_where_it_is_told(world, tmp_path):
    make_entries(world, 1)
    age(LogEntry.objects.all(), 400)
    call_command("audit_archive", older_than_days=365, output=str(tmp_path / "elsewhere"))
    assert len(list((tmp_path / "elsewhere").glob("*.jsonl.gz"))) == 1


@pytest.mark.parametrize("days", [0, 30, 179])
def test_archive_refuses_less_than_180_days(world, tmp_path, days):
    make_entries(world, 2)
    age(LogEntry.objects.all(), 365)
    count = LogEntry.objects.count()
    with pytest.raises(CommandError, match="at least 180 days"):
        call_command("audit_archive", older_than_days=days, output=str(tmp_path))
    assert LogEntry.objects.count() == count
    assert list(tmp_path.iterdir()) == []


def test_retention_setting_below_180_days_is_refused(world, settings, tmp_path):
    settings.GRIDGOV_AUDIT_RETENTION_DAYS = 90
    [error] = check_audit_retention(None)
    assert error.id == "gridgov.E010"
    with pytest.raises(CommandError):
        call_command("audit_archive", output=str(tmp_path))
    settings.GRIDGOV_AUDIT_RETENTION_DAYS = 180
    assert check_audit_retention(None) == []


def test_nothing_is_deleted_when_writing_fails(world, tmp_path, monkeypatch):
    from gridgov.core.management.commands import audit_archive

    make_entries(world, 3)
    age(LogEntry.objects.all(), 365)
    count = LogEntry.objects.count()
    calls = {"n": 0}
    real = audit_archive.entry_as_dict

    def failing(entry):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(entry)

    monkeypatch.setattr(audit_archive, "entry_as_dict", failing)
    with pytest.raises(OSError, match="disk full"):
        call_command("audit_archive", output=str(tmp_path))
    assert LogEntry.objects.count() == count
    assert list(tmp_path.iterdir()) == []
