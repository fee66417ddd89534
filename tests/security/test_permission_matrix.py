"""Every URL and API endpoint, for every role, against the table in permission_matrix.csv.

A URL without a row fails here: the table is extended on purpose (docs/security.md, "Checks in
make test"). Each role is one test (the two xdist workers share them); each cell is a request on
the same fixture world, rolled back after it. A refused POST must also leave every table as it was.

GRIDGOV_MATRIX_WRITE=1 (with ``-n 0``) writes what was observed into the table instead of
comparing, for reviewing as a diff; it never decides what is right.
"""

from __future__ import annotations

import os

import pytest

from tests.security.matrix import (
    ADMIN_ROW,
    OUTCOMES,
    ROLES,
    Row,
    ask,
    body_of,
    client_for,
    fingerprint,
    forbidden_markers,
    has_object,
    leaked,
    outcome,
    paths_of,
    read_table,
    url_names,
    write_table,
)

WRITE = os.environ.get("GRIDGOV_MATRIX_WRITE") == "1"
REFUSED = {"login", "deny", "not-found", "method", "bad-request", "invalid", "limited"}
# Pages meant for everybody, objects in any grid included: the public list and its photos (what a
# reporter agreed to publish), Open311 (public cases only), a report's thank-you page.
PUBLIC_OBJECT_URLS = {
    "resident:public_community",
    "resident:public_geojson",
    "resident:public_case",
    "resident:public_photo",
    "resident:thanks",
    "open311:request",
    "open311:token",
    "public:courtyard",  # the courtyard plate's QR code: no personal data
    # By design (docs/architecture.md): any open, non-sensitive case is offered for "me too", with
    # its title redacted; the same cases the "nearby" list shows anyone who gives a place.
    "resident:me_too",
}
# Pages for anybody: they may show case A (public) but never case C (not public). The "me too"
# offer, its thank-you page and the nearby list show open cases whether public or not (above).
ANYONE_PREFIXES = ("resident:public", "open311:", "public:")
# The Open311 token is a random value only the client that filed the request was given.
NOT_READ_FOR_MARKERS = {"resident:me_too", "resident:thanks", "resident:nearby", "open311:token"}


def markers_for(row: Row, world, role: str) -> list[str]:
    if row.name in NOT_READ_FOR_MARKERS:
        return []
    if row.name.startswith(ANYONE_PREFIXES):
        case = world.of("C", "case")
        return [case.number, case.title]
    return forbidden_markers(world, role)


def test_every_url_has_rows_and_every_row_a_url():
    names = url_names()
    rows = read_table()
    named = {row.name for row in rows}
    missing = sorted(set(names) - named)
    assert not missing, f"URLs without a row in permission_matrix.csv: {missing}"
    stale = sorted(named - set(names))
    assert not stale, f"rows for URLs that no longer exist: {stale}"
    keys = [row.key for row in rows]
    assert len(keys) == len(set(keys)), "a (url_name, object, method) row appears twice"
    for name in names:
        targets = {row.target for row in rows if row.name == name and row.method == "GET"}
        wanted = {"A", "C"} if has_object(name) else {"-"}
        assert targets == wanted, f"{name}: GET rows for objects {targets}, expected {wanted}"
    for row in rows:
        bad = {role: cell for role, cell in row.expected.items() if cell not in OUTCOMES}
        assert not bad, f"{row.key}: unknown outcomes {bad}"


def test_a_view_that_refuses_get_has_its_post_rows():
    rows = read_table()
    posted = {(row.name, row.target) for row in rows if row.method == "POST"}
    for row in rows:
        if row.method == "GET" and "method" in row.expected.values():
            assert (row.name, row.target) in posted, f"{row.name} {row.target}: no POST row"


def test_no_role_reaches_an_object_outside_its_scope_in_the_table():
    """The table itself: grid C is outside grid worker A, community 1, the resident and the token."""
    outsiders = ("grid_worker", "community_staff", "resident", "api_token", "anonymous")
    leaks = [
        (row.key, role)
        for row in read_table()
        if row.target == "C" and row.name not in PUBLIC_OBJECT_URLS
        for role in outsiders
        if row.expected[role] not in REFUSED
    ]
    assert leaks == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, matrix_world):
    world = matrix_world
    client = client_for(world, role)
    before = fingerprint()
    rows = read_table()
    mismatches: list[str] = []
    observed: list[Row] = []
    for row in rows:
        expected = row.expected[role]
        refused_post = row.method == "POST" and expected in REFUSED
        seen: set[str] = set()
        for path in paths_of(row, world):
            response, changed = ask(
                client,
                row.method,
                path,
                data=body_of(row, world),
                check_unchanged=before if refused_post else None,
            )
            got = outcome(response)
            seen.add(got)
            if got.startswith("error"):
                mismatches.append(
                    f"{row.method} {path} as {role}: server error {response.status_code}"
                )
            elif got != expected and not WRITE:
                mismatches.append(f"{row.method} {path} as {role}: {got}, table says {expected}")
            # Only what a role is given counts: an error may echo the number it was asked for.
            found = leaked(response, markers_for(row, world, role)) if got == "allow" else []
            if found:
                mismatches.append(f"{row.method} {path} as {role}: shows {found} (out of scope)")
            if changed:
                mismatches.append(
                    f"{row.method} {path} as {role}: refused ({got}) but changed rows"
                )
        if WRITE:
            cell = seen.pop() if len(seen) == 1 else "/".join(sorted(seen))
            observed.append(Row(row.name, row.target, row.method, {**row.expected, role: cell}))
    if WRITE:
        table = {row.key: row for row in read_table()}
        for row in observed:
            old = table[row.key]
            table[row.key] = Row(
                row.name, row.target, row.method, {**old.expected, role: row.expected[role]}
            )
        write_table(list(table.values()))
    assert mismatches == [], "\n".join(mismatches)


def test_admin_row_is_checked_on_the_back_office_pages():
    rows = [row for row in read_table() if row.name == ADMIN_ROW]
    assert [row.method for row in rows] == ["GET"]


@pytest.mark.django_db
def test_the_fingerprint_sees_a_changed_row_and_a_cell_reads_as_the_user_sees_it(matrix_world):
    """The instruments themselves: a changed row changes the fingerprint; grid worker A asking for
    grid C's resident gets 404, as the table says."""
    world = matrix_world
    before = fingerprint()
    resident = world.of("A", "resident")
    type(resident).objects.filter(pk=resident.pk).update(notes="changed")
    assert fingerprint() != before
    row = next(r for r in read_table() if r.key == ("registry:resident_detail", "C", "GET"))
    client = client_for(world, "grid_worker")
    response, _changed = ask(client, "GET", paths_of(row, world)[0])
    assert outcome(response) == "not-found" == row.expected["grid_worker"]
