"""The machinery of the permission matrix: the URLs, how to fill them, how to ask, how to judge.

The expected table is ``permission_matrix.csv`` beside this file, one row per (URL name, object,
method) and one column per role. docs/security.md says how to add a URL.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image
from python_calamine import CalamineWorkbook

from tests.security.world import MatrixWorld

CSV_PATH = Path(__file__).with_name("permission_matrix.csv")
ROLES = (
    "anonymous",
    "resident",
    "grid_worker",
    "community_staff",
    "street_staff",
    "department_handler",
    "admin",
    "api_token",
)
# What a cell may say. "error" (5xx) is never a valid expectation.
OUTCOMES = {
    "allow": "2xx",
    "redirect": "3xx to a page other than a sign-in page",
    "login": "401, or a redirect to a sign-in page",
    "deny": "403",
    "not-found": "404",
    "method": "405 (the view does not take this method)",
    "bad-request": "400",
    "invalid": "422 (the API refused the body)",
    "limited": "429",
}
LOGIN_PATHS = ("/accounts/login/", "/m/login/", "/admin/login/")
ADMIN_ROW = "admin:*"
# The back office's parameterless pages stand for all of it (one row, "admin:*"); the pages of one
# object of a model are Django's own code with the same permission check as the model's list.
# Left out: sign-in and sign-out (rows of their own), the autocomplete (403 without its query), and
# the "add" pages: many models are written only by the system (tokens, logs, deliveries, task
# results, Open311 keys) and their admin refuses "add" to everyone; each model's list page stands
# for its permission.
ADMIN_LEFT_OUT = {"admin:logout", "admin:login", "admin:password_change_done", "admin:autocomplete"}

Kwargs = Callable[[MatrixWorld, str], dict[str, Any]]


def _obj(kind: str, attr: str = "pk", name: str = "pk") -> Kwargs:
    return lambda w, t: {name: getattr(w.of(t, kind), attr)}


# URL names whose path holds an object: the object of target "A" (grid A) or "C" (grid C).
OBJECT_KWARGS: dict[str, Kwargs] = {
    "core:file_download": _obj("file", "pk", "file_id"),
    "areas:detail": _obj("grid", "pk", "area_id"),
    "areas:create": _obj("grid", "pk", "area_id"),
    "areas:edit": _obj("grid", "pk", "area_id"),
    "areas:move": _obj("grid", "pk", "area_id"),
    "areas:retire": _obj("grid", "pk", "area_id"),
    "registry:resident_detail": _obj("resident"),
    "registry:resident_edit": _obj("resident"),
    "registry:resident_move_out": _obj("resident"),
    "registry:contact_add": _obj("resident"),
    "registry:contact_remove": lambda w, t: {
        "pk": w.of(t, "resident").pk,
        "contact_pk": w.of(t, "contact").pk,
    },
    "registry:house_detail": _obj("house"),
    "registry:house_edit": _obj("house"),
    "registry:landlord_detail": _obj("landlord"),
    "registry:rental_end": _obj("rental"),
    "registry:courtyard_detail": _obj("courtyard"),
    "registry:inspection_create": _obj("courtyard"),
    "registry:risk_override": _obj("courtyard"),
    "registry:rate": _obj("courtyard"),
    "registry:plate": _obj("courtyard"),
    "registry:item_rectify": _obj("item"),
    "registry:area_plates": _obj("grid", "pk", "area_pk"),
    "registry:import_detail": _obj("import", "pk", "job_id"),
    "registry:import_progress": _obj("import", "pk", "job_id"),
    "registry:import_result": _obj("import", "pk", "job_id"),
    "cases:detail": _obj("case"),
    "cases:act": lambda w, t: {"pk": w.of(t, "case").pk, "action": "claim"},
    "patrol:case": _obj("case"),
    "patrol:act": lambda w, t: {"pk": w.of(t, "case").pk, "name": "claim"},
    "patrol:resident": _obj("resident"),
    "patrol:house": _obj("house"),
    "patrol:points": _obj("patrol"),
    "patrol:end": _obj("patrol"),
    "patrols:detail": _obj("patrol"),
    "notifications:mark_read": _obj("notification"),
    "notifications:open": _obj("notification"),
    "resident:thanks": _obj("case", "uid", "uid"),
    "resident:me_too": _obj("case"),
    "resident:case": _obj("case"),
    "resident:rate": _obj("case"),
    "resident:reopen": _obj("case"),
    "resident:fixed": _obj("case"),
    "resident:photo": _obj("attachment", "pk", "attachment_id"),
    "resident:public_community": _obj("community"),
    "resident:public_geojson": _obj("community"),
    "resident:public_case": _obj("case", "uid", "uid"),
    "resident:public_photo": _obj("attachment", "pk", "attachment_id"),
    "resident:moderate_hide": _obj("case"),
    "resident:moderate_redact": _obj("attachment", "pk", "attachment_id"),
    "open311:request": lambda w, t: {"request_id": w.of(t, "case").number, "fmt": "json"},
    "open311:token": lambda w, t: {"token": w.of(t, "client_request").token, "fmt": "json"},
    "open311:media": _obj("file", "pk", "file_id"),
    "sos:status": _obj("press", "uid", "uid"),
    "sos:device_new": _obj("resident", "pk", "resident_id"),
    "sos:device_revoke": _obj("device", "uid", "uid"),
    "sos:duty_delete": _obj("shift", "pk", "shift_id"),
    "hotline:import_detail": _obj("hotline", "pk", "record_id"),
    "hotline:import_result": _obj("hotline", "pk", "record_id"),
    "public:courtyard": _obj("courtyard", "public_token", "token"),
    "api-v1:file_download": _obj("file", "pk", "file_id"),
    "api-v1:area_detail": _obj("grid", "code", "code"),
    "api-v1:area_children": _obj("community", "code", "code"),
    "api-v1:resident_detail": _obj("resident", "pk", "resident_id"),
    "api-v1:house_detail": _obj("house", "pk", "house_id"),
    "api-v1:courtyard_detail": _obj("courtyard", "pk", "courtyard_id"),
    "api-v1:case_detail": _obj("case", "pk", "case_id"),
    "api-v1:case_photos": _obj("case", "pk", "case_id"),
    "api-v1:action_list": _obj("case", "pk", "case_id"),
    "api-v1:action_take": lambda w, t: {"case_id": w.of(t, "case").pk, "action": "claim"},
}

# URL names whose POST body names the object (no object in the path).
OBJECT_BODY: dict[str, Kwargs] = {
    "core:personal_data_reveal": lambda w, t: {
        "model": "registry.resident",
        "pk": w.of(t, "resident").pk,
        "field": "phone",
    },
}


# URL names whose path holds a value that is not an object in one grid.
FIXED_KWARGS: dict[str, Kwargs] = {
    "registry:import_template": lambda w, t: {"kind": "residents"},
    "registry:export": lambda w, t: {"kind": "residents"},
    "cases:kpis_report": lambda w, t: {
        "street_id": w.base.street.pk,
        "month": "2026-01",
        "fmt": "xlsx",
    },
    "cockpit:chart_data": lambda w, t: {"key": "trend"},
    "cockpit:chart_xlsx": lambda w, t: {"key": "trend"},
    "workcalendar:year": lambda w, t: {"year": 2026},
    "open311:discovery": lambda w, t: {"fmt": "json"},
    "open311:services": lambda w, t: {"fmt": "json"},
    "open311:service": lambda w, t: {"code": "0101", "fmt": "json"},
    "open311:requests": lambda w, t: {"fmt": "json"},
    "open311:updates": lambda w, t: {"fmt": "json"},
}
# Unnamed patterns: the fixed path that stands for them.
UNNAMED_PATHS = {"open311:<catch-all>": "/open311/v2/nothing-here.json"}

# What a state-changing request sends: every field a form of ours might read, so that a view that
# forgot its permission check would act (and the fingerprint below would catch it).
POST_DATA = {
    "text": "矩阵测试",
    "note": "矩阵测试",
    "reason": "矩阵测试",
    "name": "矩阵测试",
    "phone": "13800003333",
    "relation": "子女",
    "label": "矩阵",
    "rating": "5",
    "score": "5",
    "stars": "5",
    "colour": "red",
    "comment": "矩阵测试",
    "on": "2026-01-02",
    "end_date": "2026-01-02",
    "code": "123456",
    "lon": "120.005",
    "lat": "30.005",
    "title": "矩阵测试",
    "description": "矩阵测试",
    "category": "0101",
    "fixed": "yes",
    "ids": "1",
}


# A valid report through the API, so that the table says who may report there.
API_CASE = {"category": "0101", "title": "矩阵测试", "area": "110105001001001"}


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile("matrix.png", buffer.getvalue(), content_type="image/png")


@dataclass(frozen=True)
class Row:
    name: str
    target: str  # "A", "C" or "-"
    method: str
    expected: dict[str, str]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.name, self.target, self.method)


def read_table(path: Path = CSV_PATH) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    rows = []
    for record in csv.DictReader(lines):
        expected = {role: record[role].strip() for role in ROLES}
        rows.append(Row(record["url_name"], record["object"], record["method"], expected))
    return rows


HEADER = (
    "# The permission matrix: what each role gets on each URL (tests/security/test_permission_matrix.py).\n"
    "# object: A = an object in grid A (community 1), C = in grid C (community 2), - = none.\n"
    "# Outcomes: " + "; ".join(f"{name} = {meaning}" for name, meaning in OUTCOMES.items()) + "\n"
)


def write_table(rows: list[Row], path: Path = CSV_PATH) -> None:
    rows = sorted(rows, key=lambda row: row.key)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["url_name", "object", "method", *ROLES])
        for row in rows:
            writer.writerow([row.name, row.target, row.method, *(row.expected[r] for r in ROLES)])


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or "<catch-all>"
            yield (f"{namespace}:{name}" if namespace else name), prefix + str(pattern.pattern)


def url_names() -> dict[str, str]:
    """Every URL name of the project (the back office as one entry) → its pattern."""
    found: dict[str, str] = {}
    for name, pattern in _walk(get_resolver(), "/", ""):
        found.setdefault(ADMIN_ROW if name.startswith("admin:") else name, pattern)
    return found


def admin_paths() -> list[str]:
    """The parameterless pages of the back office (what the row "admin:*" is checked on)."""
    paths = []
    for name, pattern in _walk(get_resolver(), "/", ""):
        if name in ADMIN_LEFT_OUT or name.endswith("_add"):
            continue
        if name.startswith("admin:") and "<" not in pattern:
            if "(?P" in pattern and name != "admin:app_list":
                continue
            if name == "admin:app_list":
                paths.append(reverse(name, kwargs={"app_label": "registry"}))
            else:
                paths.append(reverse(name))
    return sorted(set(paths))


def has_object(name: str) -> bool:
    return name in OBJECT_KWARGS or name in OBJECT_BODY


def body_of(row: Row, world: MatrixWorld) -> dict[str, Any]:
    extra = OBJECT_BODY[row.name](world, row.target) if row.name in OBJECT_BODY else {}
    return {**POST_DATA, **extra}


def paths_of(row: Row, world: MatrixWorld) -> list[str]:
    if row.name == ADMIN_ROW:
        return admin_paths()
    if row.name in UNNAMED_PATHS:
        return [UNNAMED_PATHS[row.name]]
    if row.name in OBJECT_KWARGS:
        return [reverse(row.name, kwargs=OBJECT_KWARGS[row.name](world, row.target))]
    if row.name in FIXED_KWARGS:
        return [reverse(row.name, kwargs=FIXED_KWARGS[row.name](world, row.target))]
    return [reverse(row.name)]


def client_for(world: MatrixWorld, role: str) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    if role == "api_token":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.api_key}"
        return client
    user = {
        "resident": world.phone_resident,
        "grid_worker": world.base.worker_a,
        "community_staff": world.base.secretary,
        "street_staff": world.base.officer,
        "department_handler": world.base.handler,
        "admin": world.base.admin,
    }[role]
    client.force_login(user, backend="gridgov.core.auth.GridgovModelBackend")
    return client


def outcome(response: Any) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return "allow"
    if status in (301, 302, 303, 307, 308):
        location = response.headers.get("Location", "")
        return "login" if location.split("?")[0] in LOGIN_PATHS else "redirect"
    return {
        400: "bad-request",
        422: "invalid",
        401: "login",
        403: "deny",
        404: "not-found",
        405: "method",
        429: "limited",
    }.get(status, f"error {status}" if status >= 500 else f"status {status}")


# Tables that a refused request may write without anything having changed for anyone: the audit
# trail of the refusal itself, sign-in bookkeeping, and sessions.
# An API token's "last used" stamp is written on any authenticated request, refused or not.
FINGERPRINT_SKIPS = {"auditlog.logentry", "sessions.session", "api.apitoken"}


def _fingerprinted_tables() -> list[str]:
    tables = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in FINGERPRINT_SKIPS or model._meta.proxy or not model._meta.managed:
            continue
        if model.__module__.startswith("gridgov.") or model._meta.app_label == "auth":
            tables.append(model._meta.db_table)
        # Many-to-many tables of our models (e.g. a user's groups) count too.
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:
                tables.append(through._meta.db_table)
    return sorted(set(tables))


def fingerprint() -> str:
    """A digest of every row of the project's own tables (and users, groups, permissions).

    Plain SQL, one query a table: the ORM would cost ten times as much, and this runs after every
    refused POST.
    """
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table in _fingerprinted_tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # noqa: S608
            digest.update(table.encode())
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


def ask(
    client: Client,
    method: str,
    path: str,
    *,
    data: dict[str, Any] | None = None,
    check_unchanged: str | None = None,
):
    """One request, rolled back afterwards so that every cell meets the same world.

    With ``check_unchanged`` (the fingerprint before), returns also whether anything changed.
    """
    # Cookies too go back: a sign-out must not sign the client out, a flash message must not
    # show up on the next page.
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    changed = False
    with transaction.atomic():
        if method == "GET":
            response = client.get(path)
        elif path.startswith("/api/") and path.endswith("/photos"):
            response = client.post(path, {"photos": [png()], "kind": "other"})
        elif path.startswith("/api/"):
            body = API_CASE if path.rstrip("/").endswith("/cases") else {}
            response = client.post(path, json.dumps(body), content_type="application/json")
        else:
            response = client.post(path, data if data is not None else POST_DATA)
        if check_unchanged is not None:
            changed = fingerprint() != check_unchanged
        transaction.set_rollback(True)
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies[name] = value
    return response, changed


# Which grid's objects a role may read in the registry and among the cases ("A", "C").
REGISTRY_SCOPE = {
    "anonymous": set(),
    "resident": set(),
    "grid_worker": {"A"},
    "community_staff": {"A"},
    "street_staff": {"A", "C"},
    "department_handler": set(),
    "admin": {"A", "C"},
    "api_token": {"A"},
}
CASE_SCOPE = {
    **REGISTRY_SCOPE,
    "anonymous": set(),
    "resident": {"A"},  # reported it
    "department_handler": {"C"},  # summoned to it
}


def forbidden_markers(world: MatrixWorld, role: str) -> list[str]:
    """Texts of objects outside ``role``'s scope: no page or answer shown to the role holds them."""
    markers = []
    for target in ("A", "C"):
        if target not in REGISTRY_SCOPE[role]:
            markers += [
                world.of(target, "resident").name,
                world.of(target, "resident").address,
                world.of(target, "house").address,
                world.of(target, "landlord").name,
                world.of(target, "courtyard").name,
            ]
        if target not in CASE_SCOPE[role]:
            markers += [world.of(target, "case").number, world.of(target, "case").title]
    return markers


def body_text(response: Any) -> bytes:
    """What a response shows: its bytes, or the cell texts of an Excel workbook."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:2] == b"PK":  # an xlsx workbook (a zip)
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        except Exception:  # noqa: BLE001 - not a workbook after all: read the bytes
            return content
        cells = [
            str(cell)
            for name in workbook.sheet_names
            for row in workbook.get_sheet_by_name(name).to_python()
            for cell in row
        ]
        return "\n".join(cells).encode()
    return content


def leaked(response: Any, markers: list[str]) -> list[str]:
    """The markers found in what a response shows, as text or JSON-escaped."""
    if not markers:
        return []
    body = body_text(response)
    found = []
    for marker in markers:
        escaped = json.dumps(marker)[1:-1].encode()
        for form in (marker.encode(), escaped):
            at = body.find(form)
            if at >= 0:
                context = body[max(0, at - 80) : at + 40].decode(errors="replace")
                found.append(f"{marker} in …{context}…")
                break
    return found
