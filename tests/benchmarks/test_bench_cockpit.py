"""``gridgov bench cockpit`` on the configured engine (a tiny city: not a timing test): the
rows copied into DuckDB give the same month figures as the rollups, which the run checks."""

from __future__ import annotations

import pytest

from gridgov.benchmarks import cockpit


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_bench_cockpit_agrees_with_duckdb_over_the_copied_rows():
    cockpit.seed_city_cases(3_000, progress=lambda message: None)
    figure = cockpit._run(repeats=1, progress=lambda message: None, generated=None)
    assert figure["checked_against_duckdb"] is True
    assert figure["cases"] == 3_000
    assert figure["value"] > 0 and figure["limit_value"] > 0
    # The month of "now" has cases: the check compared real counts.
    assert float(figure["city_figures"]["response_rate"].rstrip("%")) > 0


@pytest.mark.django_db(transaction=True)
def test_the_rows_copied_into_duckdb_are_the_stored_ones():
    from gridgov.benchmarks.timelines import FIRST_DAY
    from gridgov.cases.models import Case, CaseEvent

    cockpit.seed_city_cases(200, progress=lambda message: None)
    _seconds, duck = cockpit._duckdb_load("9903")
    stored = Case.objects.order_by("pk").first()
    row = duck.execute(
        "SELECT id, area_code, status, reported_at, closed_at FROM cases ORDER BY id LIMIT 1"
    ).fetchone()
    naive = stored.reported_at.astimezone(FIRST_DAY.tzinfo).replace(tzinfo=None)
    closed = stored.closed_at and stored.closed_at.astimezone(FIRST_DAY.tzinfo).replace(tzinfo=None)
    assert row == (stored.pk, stored.area.code, stored.status, naive, closed)
    assert duck.execute("SELECT count(*) FROM cases").fetchone()[0] == 200
    assert duck.execute("SELECT count(*) FROM events").fetchone()[0] == CaseEvent.objects.count()
    claims = duck.execute(
        "SELECT count(*) FROM events WHERE action = 'claim' AND data LIKE '%\"on_time\": %'"
    ).fetchone()[0]
    assert claims == CaseEvent.objects.filter(action="claim").count() > 0
