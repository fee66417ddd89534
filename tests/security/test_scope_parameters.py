"""Out-of-scope objects named in a query string: a list filtered to grid C, a cockpit or KPI page of
grid C, a form pre-filled from grid C's house or resident. Grid worker A and the secretary of
community 1 get 404 or their own scope, never grid C's rows (the matrix covers the paths)."""

from __future__ import annotations

import pytest

from tests.security.matrix import ask, client_for, forbidden_markers, leaked, outcome

pytestmark = pytest.mark.django_db

# A parameterised page → what the outsider gets: "not-found", or any answer without grid C's rows.
PROBES = [
    ("/cockpit/?area={code}", "not-found"),
    ("/cockpit/wall/?area={code}", "not-found"),
    ("/cockpit/wall/panel/?area={code}", "not-found"),
    ("/cockpit/charts/?area={code}", "not-found"),
    ("/cockpit/charts/trend.json?area={code}", "not-found"),
    ("/cockpit/charts/categories.xlsx?area={code}", "not-found"),
    ("/cockpit/map/?area={code}", "not-found"),
    ("/cockpit/map/points/?area={code}", "not-found"),
    ("/cases/kpis/?area={code}", "not-found"),
    ("/registry/residents/new/?house={house}", "not-found"),
    ("/registry/tenancies/new/?resident={resident}", "not-found"),
    ("/cases/?area={pk}", "no-rows"),
    ("/cases/?q={number}", "no-rows"),
    ("/cases/export.xlsx?area={pk}", "no-rows"),
    ("/cases/dispatch/?area={pk}", "no-rows"),
    ("/registry/residents/?area={pk}", "no-rows"),
    ("/registry/residents/?q={resident_name}", "no-rows"),
    ("/registry/houses/?area={pk}", "no-rows"),
    ("/registry/landlords/?area={pk}", "no-rows"),
    ("/registry/tenancies/?area={pk}", "no-rows"),
    ("/registry/courtyards/?area={pk}", "no-rows"),
    ("/registry/imports/export/residents/?area={pk}", "no-rows"),
    ("/patrols/?area={pk}", "no-rows"),
    ("/patrols/export.xlsx?area={pk}", "no-rows"),
    ("/sos/console/?q={resident_name}", "no-rows"),
    ("/w/lookup/?q={resident_name}", "no-rows"),
    ("/api/v1/cases?area={code}", "no-rows"),
    ("/api/v1/residents?area={code}", "no-rows"),
    ("/api/v1/houses?area={code}", "no-rows"),
    ("/api/v1/courtyards?area={code}", "no-rows"),
    ("/api/v1/kpis?area={code}", "no-rows"),
    ("/api/v1/areas/{code}/children", "not-found"),
]


@pytest.mark.parametrize("role", ["grid_worker", "community_staff", "api_token"])
def test_naming_grid_c_in_a_query_shows_nothing_of_it(role, matrix_world):
    world = matrix_world
    client = client_for(world, role)
    markers = forbidden_markers(world, role)
    values = {
        "code": world.of("C", "grid").code,
        "pk": world.of("C", "grid").pk,
        "house": world.of("C", "house").pk,
        "resident": world.of("C", "resident").pk,
        "resident_name": world.of("C", "resident").name,
        "number": world.of("C", "case").number,
    }
    problems = []
    for template, wanted in PROBES:
        if role == "api_token" and not template.startswith("/api/"):
            continue  # a token opens the API only (the matrix shows the pages send it to sign in)
        path = template.format(**values)
        response, _changed = ask(client, "GET", path)
        got = outcome(response)
        # A search page echoes what was searched for; the row's other texts tell whether it came.
        shown = [m for m in markers if f"={m}" not in template.format(**values)]
        if got.startswith("error"):
            problems.append(f"{path}: server error")
        elif wanted == "not-found" and got != "not-found":
            problems.append(f"{path}: {got}, expected not-found")
        elif got == "allow" and (found := leaked(response, shown)):
            problems.append(f"{path}: shows {found}")
    assert problems == []
