"""``gridgov bench cockpit``: the city and a street overview from the rollups, against the same
figures computed by full scans of the raw cases — in the database (``gridgov.cases.kpis``) and
with DuckDB over the same rows (what an analyst would pick instead: the limit).

Without ``--rows`` it reads the configured database, which ``gridgov seed --scale city --cases N``
has filled (cases with their timelines and rollups). With ``--rows N`` it builds the city's areas
and N cases in a scratch database first. "Now" is fixed inside the generated two years
(2024–2025), so the overview's month (December 2025) is full of cases.

Timed, best of three:

- ours: ``gridgov.cockpit.overview.build`` of the city and of one street — the KPI figures of
  the month and last month, cases today/this week/this month by status, live open/overdue
  counts, levels, top categories, channels, hours, rankings of children and departments;
- the database scan: the month's and last month's figures by ``kpis.count_groups`` over the raw
  cases and timelines, the rankings of the city's districts and of the departments, and the
  reported cases of the month by status, category and channel (GROUP BY over the raw rows);
- DuckDB: the same cases and timeline rows copied into an in-memory DuckDB (copy time reported
  apart), then the month's counts of every figure in one SQL query per cohort. Its counts are
  checked against the rollups' counts.

The JSON's ratio is DuckDB's time over ours for the city overview (≥ 1: the cockpit wins).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2025, 12, 20, 15, 0, tzinfo=SHANGHAI)


def run(*, cases: int | None = None, repeats: int = 3, progress: Any = print) -> dict[str, Any]:
    if cases is None:
        return _run(repeats=repeats, progress=progress, generated=None)
    from gridgov.benchmarks import scratch_database

    with scratch_database():
        started = time.perf_counter()
        seed_city_cases(cases, progress)
        return _run(repeats=repeats, progress=progress, generated=time.perf_counter() - started)


def seed_city_cases(count: int, progress: Any) -> None:
    """The city's areas and staff (if missing), ``count`` cases with timelines, and rollups."""
    import random

    from gridgov.areas.models import Area
    from gridgov.demo import city

    if not Area.objects.filter(code=city.CITY[0]).exists():
        grids = city.build_city_areas(random.Random(2026), progress)  # noqa: S311
        city.build_city_staff(grids, progress)
    from gridgov.cockpit.citycases import generate

    generate(count, progress)


def _best_of(repeats: int, function: Any) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def _run(*, repeats: int, progress: Any, generated: float | None) -> dict[str, Any]:
    from gridgov.areas.models import Area
    from gridgov.benchmarks import machine
    from gridgov.cases.models import Case
    from gridgov.cockpit import overview
    from gridgov.cockpit.figures import Where

    city_area = Area.objects.filter(parent__isnull=True).order_by("code").first()
    if city_area is None or not Case.objects.exists():
        raise RuntimeError("no cases: run `gridgov seed --scale city --cases N` first, or --rows N")
    total_cases = Case.objects.count()
    districts = list(Area.objects.filter(parent=city_area).order_by("code"))
    streets = list(Area.objects.filter(parent__in=districts).order_by("code"))
    street = streets[0]
    communities = list(Area.objects.filter(parent=street).order_by("code"))
    grids = list(Area.objects.filter(parent__in=communities).order_by("code"))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def city_overview() -> Any:
        return overview.build(
            area=city_area,
            where=Where(city_area.code),
            children=districts,
            grandchildren=streets,
            now=NOW,
            people=False,
        )

    def street_overview() -> Any:
        return overview.build(
            area=street,
            where=Where(street.code),
            children=communities,
            grandchildren=grids,
            now=NOW,
            people=False,
        )

    city_result = city_overview()
    city_seconds = _best_of(repeats, city_overview)
    street_seconds = _best_of(repeats, street_overview)
    progress(f"ours: city {city_seconds * 1000:.1f} ms, street {street_seconds * 1000:.1f} ms")

    periods = overview.Periods.at(NOW)
    db_seconds = _best_of(1, lambda: _database_scan(city_area, districts, periods))
    progress(f"database scan (kpis.py over the raw rows): {db_seconds:.2f} s")

    load_seconds, duck = _duckdb_load(city_area.code)
    progress(f"DuckDB: {total_cases:,} cases copied in {load_seconds:.1f} s")
    duck_counts: dict[str, float] = {}
    duck_seconds = _best_of(repeats, lambda: duck_counts.update(_duckdb_scan(duck, periods)))
    progress(f"DuckDB scan: {duck_seconds * 1000:.1f} ms")
    ours_counts = {t.key: t.figure for t in city_result.trends}
    mismatches = _compare(city_result, duck_counts)
    if mismatches:
        raise RuntimeError(f"rollup figures differ from DuckDB's scan: {mismatches}")
    return {
        "name": "cockpit",
        "value": round(1 / city_seconds, 3),
        "unit": "city overviews/s (every case figure of the cockpit's first screen, from the rollups)",
        "limit_name": "DuckDB full scan of the same cases and timeline rows (in memory), same month figures",
        "limit_value": round(1 / duck_seconds, 3),
        "ratio": round(duck_seconds / city_seconds, 3),
        "city_overview_ms": round(city_seconds * 1000, 1),
        "street_overview_ms": round(street_seconds * 1000, 1),
        "database_scan_ms": round(db_seconds * 1000, 1),
        "database_scan_ratio": round(db_seconds / city_seconds, 1),
        "duckdb_scan_ms": round(duck_seconds * 1000, 1),
        "duckdb_copy_seconds": round(load_seconds, 1),
        "cases": total_cases,
        "month": periods.month_label,
        "city_figures": {
            key: str(value) for key, value in ours_counts.items() if key in overview.HEADLINE
        },
        "checked_against_duckdb": True,
        "generated_seconds": round(generated, 1) if generated is not None else None,
        "machine": machine(),
    }


def _database_scan(city_area: Any, districts: list[Any], periods: Any) -> None:
    """The overview's figures straight from the raw cases and timelines (no rollups)."""
    from django.db.models import Count

    from gridgov.cases import kpis
    from gridgov.cases.models import Case
    from gridgov.core.models import Department

    cases = Case.objects.filter(area__code__startswith=city_area.code)
    kpis.kpis_for(cases, *periods.month, as_of=NOW)
    kpis.kpis_for(cases, *periods.last_month, as_of=NOW)
    kpis.kpis_by_area(cases, districts, *periods.month, as_of=NOW)
    kpis.kpis_by_department(cases, list(Department.objects.all()), *periods.month, as_of=NOW)
    month = cases.filter(reported_at__gte=periods.month[0], reported_at__lt=periods.month[1])
    for column in ("status", "category_id", "channel"):
        list(month.values(column).order_by().annotate(n=Count("id")))


def _duckdb_load(prefix: str) -> tuple[float, Any]:
    """Copy the city's cases and timeline rows into an in-memory DuckDB (times in UTC)."""
    import duckdb

    started = time.perf_counter()
    duck = duckdb.connect(":memory:")
    duck.execute(
        "CREATE TABLE cases (id BIGINT, area_code VARCHAR, category_id BIGINT, channel VARCHAR,"
        " status VARCHAR, reported_at TIMESTAMP, claimed_at TIMESTAMP, claim_due_at TIMESTAMP,"
        " resolved_at TIMESTAMP, resolve_due_at TIMESTAMP, closed_at TIMESTAMP, rating INTEGER,"
        " reopen_count INTEGER)"
    )
    duck.execute(
        "CREATE TABLE events (case_id BIGINT, action VARCHAR, from_status VARCHAR,"
        ' to_status VARCHAR, "at" TIMESTAMP, data VARCHAR)'
    )
    import csv
    import tempfile

    # DuckDB reads a CSV file far faster than it takes rows one by one; the rows go from the
    # driver to the file without a Python step per value (converting each moment in Python took
    # about 2 minutes per 1,000,000 cases).
    with tempfile.TemporaryDirectory() as folder:
        for table, sql in _export_queries(prefix).items():
            path = f"{folder}/{table}.csv"
            with open(path, "w", newline="") as handle, _raw_cursor() as cursor:
                cursor.execute(sql, [prefix + "%"] if "%s" in sql else [])
                writer = csv.writer(handle)
                while rows := cursor.fetchmany(50_000):
                    writer.writerows(rows)
            duck.execute(f"COPY {table} FROM '{path}' (HEADER false, NULLSTR '')")
    return time.perf_counter() - started, duck


MOMENTS = (
    "reported_at",
    "claimed_at",
    "claim_due_at",
    "resolved_at",
    "resolve_due_at",
    "closed_at",
)


def _export_queries(prefix: str) -> dict[str, str]:
    """The rows of the city's cases and timelines, with moments in UTC without a zone and the
    details as JSON text (SQLite stores both so; PostgreSQL turns them so)."""
    postgres = connection.vendor == "postgresql"

    def utc(column: str) -> str:
        return f"({column} AT TIME ZONE 'UTC')" if postgres else column

    moments = ", ".join(utc(f"c.{name}") for name in MOMENTS)
    cases = (
        "SELECT c.id, a.code, c.category_id, c.channel, c.status, "  # noqa: S608 # nosec B608 # our own column names
        f"{moments}, c.rating, c.reopen_count FROM cases_case c"
        " JOIN areas_area a ON a.id = c.area_id WHERE a.code LIKE %s"
    )
    data = "e.data::text" if postgres else "e.data"
    events = (
        "SELECT e.case_id, e.action, e.from_status, e.to_status, "  # noqa: S608 # nosec B608 # our own column names
        f"{utc('e.at')}, {data} FROM cases_caseevent e"
    )
    return {"cases": cases, "events": events}


@contextmanager
def _raw_cursor() -> Iterator[Any]:
    """A cursor that hands over the stored values as they are: on SQLite a read-only connection
    of its own (Django's parses every moment into a datetime)."""
    if connection.vendor != "sqlite":
        with connection.cursor() as cursor:
            yield cursor
        return
    import sqlite3

    name = connection.settings_dict["NAME"]
    raw = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
    try:
        cursor = raw.cursor()
        yield _Percent(cursor)
    finally:
        raw.close()


class _Percent:
    """The driver's cursor taking Django's %s placeholders."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: list[Any]) -> None:
        self.cursor.execute(sql.replace("%s", "?"), params)

    def fetchmany(self, size: int) -> list[tuple]:
        return self.cursor.fetchmany(size)


def _duckdb_scan(duck: Any, periods: Any) -> dict[str, float]:
    """The month's counts (``kpis.COUNTS``) of the city in one query over the copied rows."""
    utc = datetime.UTC

    def naive(value: datetime.datetime) -> datetime.datetime:
        return value.astimezone(utc).replace(tzinfo=None)

    start, end = (naive(m) for m in periods.month)
    due_end = naive(max(periods.month[0], min(periods.month[1], NOW)))
    sql = """
    WITH f AS (
      SELECT case_id,
        min("at") FILTER (WHERE from_status = 'accepted' AND to_status = 'dispatched') AS handoff,
        min("at") FILTER (WHERE action = 'claim' AND from_status = 'dispatched' AND to_status = 'claimed') AS first_claim,
        arg_min(data LIKE '%"on_time": true%', "at") FILTER (WHERE action = 'claim' AND from_status = 'dispatched' AND to_status = 'claimed') AS first_claim_on_time,
        bool_or(action = 'accept') AS accepted,
        bool_or(action = 'return') AS returned,
        bool_or(action = 'decide_extension' AND data LIKE '%"approved": true%') AS extended,
        max("at") FILTER (WHERE action = 'rate') AS rated_at
      FROM events GROUP BY case_id
    ), t AS (
      SELECT c.*, f.handoff, f.first_claim, f.first_claim_on_time, f.accepted, f.returned, f.extended, f.rated_at,
        (SELECT arg_max(regexp_extract(e.data, '"level": "([a-z]+)"', 1), e."at") FROM events e
          WHERE e.case_id = c.id AND e.action IN ('dispatch', 'escalate', 'whistle')
          AND e."at" <= c.resolved_at) AS level
      FROM cases c LEFT JOIN f ON f.case_id = c.id
    )
    SELECT
      count(*) FILTER (WHERE reported_at >= $s AND reported_at < $e) AS reported,
      count(*) FILTER (WHERE reported_at >= $s AND reported_at < $e AND status = 'merged') AS merged,
      count(*) FILTER (WHERE reported_at >= $s AND reported_at < $e AND status <> 'merged' AND accepted) AS filed,
      count(*) FILTER (WHERE handoff >= $s AND handoff < $e) AS dispatched,
      count(*) FILTER (WHERE handoff >= $s AND handoff < $e AND first_claim_on_time) AS responded,
      count(*) FILTER (WHERE handoff >= $s AND handoff < $e AND resolved_at IS NOT NULL) AS resolved,
      count(*) FILTER (WHERE rated_at >= $s AND rated_at < $e AND rating IS NOT NULL) AS rated,
      count(*) FILTER (WHERE rated_at >= $s AND rated_at < $e AND rating >= 4) AS satisfied,
      count(*) FILTER (WHERE resolve_due_at >= $s AND resolve_due_at < $d AND status NOT IN ('suspended', 'merged')) AS due,
      count(*) FILTER (WHERE resolve_due_at >= $s AND resolve_due_at < $d AND status IN ('closed', 'rated')) AS closed,
      count(*) FILTER (WHERE resolved_at >= $s AND resolved_at < $e AND handoff IS NOT NULL) AS resolved_in_period,
      count(*) FILTER (WHERE resolved_at >= $s AND resolved_at < $e AND handoff IS NOT NULL AND level = 'grid') AS level_grid
    FROM t
    """
    cursor = duck.execute(sql, {"s": start, "e": end, "d": due_end})
    names = [column[0] for column in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def _compare(result: Any, duck: dict[str, float]) -> dict[str, tuple[float, float]]:
    figures = {t.key: t.figure for t in result.trends}
    ours = {
        "reported": next(row["month"] for row in result.by_status if not row["status"]),
        "dispatched": figures["response_rate"].denominator,
        "responded": figures["response_rate"].numerator,
        "resolved": figures["resolution_rate"].numerator,
        "rated": figures["satisfaction_rate"].denominator,
        "satisfied": figures["satisfaction_rate"].numerator,
        "due": figures["close_rate"].denominator,
        "closed": figures["close_rate"].numerator,
        "filed": figures["filing_rate"].numerator,
        "resolved_in_period": figures["grid_share"].denominator,
        "level_grid": figures["grid_share"].numerator,
    }
    return {name: (value, duck[name]) for name, value in ours.items() if value != duck[name]}
