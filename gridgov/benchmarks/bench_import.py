"""``gridgov bench import``: the residents import against raw ``executemany`` of the same rows.

On a scratch database of the configured engine (a test database: the real one is not touched):

1. a residents workbook of ``rows`` rows (default 200,000) is generated: valid fictional ID
   numbers, realistic names, phones, addresses, grids, special-group tags (not timed);
2. ours: ``run_import`` reads it with calamine, validates every row (``resident_clean``), resolves
   areas, encrypts ID numbers and phones, computes blind indexes, inserts residents and tags and
   writes one audit entry per resident, in transactions of 1,000 rows;
3. the limit: the very rows ours wrote (ciphertexts and indexes included, already parsed) are read
   back, the table emptied and vacuumed, and inserted again by the database driver's own cursor
   (``executemany``, no Django in between) into the same table with the same indexes, also in
   transactions of 1,000 rows.

Ratio = our rows/s ÷ the limit's rows/s (the goal is ≥ 0.3). Memory: the process's resident set
(``VmRSS``) at 25, 50 and 100 % of the rows, and its peak (``VmHWM``, reset before the import on
Linux), so that it shows the import does not grow with the file beyond what calamine holds.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BATCH = 1000
GRIDS = 20
REGIONS = ("110105", "110108", "310115", "440305", "510107", "330106")


def run(*, rows: int = 200_000, progress: Callable[[str], Any] = print) -> dict[str, Any]:
    from gridgov.benchmarks import scratch_database

    with scratch_database() as folder:
        return _run(rows=rows, folder=folder, progress=progress)


def _run(*, rows: int, folder: Path, progress: Callable[[str], Any]) -> dict[str, Any]:
    from auditlog.models import LogEntry
    from django.db import connection, transaction

    from gridgov.benchmarks import machine
    from gridgov.registry.importing.runner import run_import
    from gridgov.registry.models import Resident, ResidentTag

    admin, codes = _world()
    source = folder / "residents.xlsx"
    started = time.perf_counter()
    _generate(source, rows, codes)
    progress(
        f"generated {rows:,} rows in {time.perf_counter() - started:.1f}s "
        f"({source.stat().st_size / 2**20:.1f} MB)"
    )

    _reset_peak_memory()
    baseline = _rss_mb()
    samples: dict[str, float] = {}
    marks = {25: rows * 25 // 100, 50: rows * 50 // 100, 100: rows}

    def sample(report: Any) -> None:
        for percent, at in marks.items():
            if f"{percent}%" not in samples and report.processed >= at:
                samples[f"{percent}%"] = round(_rss_mb(), 1)
                progress(
                    f"  {report.processed:,} rows, resident memory {samples[f'{percent}%']} MB"
                )

    started = time.perf_counter()
    report = run_import(
        kind="residents",
        path=source,
        actor=admin,
        result_path=folder / "result.xlsx",
        progress=sample,
        batch_size=BATCH,
    )
    ours_seconds = time.perf_counter() - started
    peak = _peak_mb()
    if report.created != rows:
        raise RuntimeError(f"expected {rows} new residents, got {report.created} ({report})")
    progress(f"ours: {rows / ours_seconds:,.0f} rows/s ({ours_seconds:.1f}s)")

    # The limit: the same rows, ciphertexts and indexes included, inserted by the driver itself.
    table = Resident._meta.db_table
    quote = connection.ops.quote_name
    columns = [field.column for field in Resident._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} ORDER BY id"  # noqa: S608 # nosec B608 # names quoted from our own models, values passed as parameters
        )
        prepared = cursor.fetchall()
    ResidentTag.objects.all().delete()
    LogEntry.objects.filter(cid__startswith="import").delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 # nosec B608 # names quoted from our own models, values passed as parameters
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
    mark = "?" if connection.vendor == "sqlite" else "%s"
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 # nosec B608 # names quoted from our own models, values passed as parameters
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    connection.ensure_connection()
    raw = connection.connection  # the DB-API connection: no Django wrapper in the loop
    started = time.perf_counter()
    for start in range(0, len(prepared), BATCH):
        with transaction.atomic():
            cursor = raw.cursor()
            cursor.executemany(sql, prepared[start : start + BATCH])
            cursor.close()
    limit_seconds = time.perf_counter() - started
    progress(f"limit: {rows / limit_seconds:,.0f} rows/s ({limit_seconds:.1f}s)")

    ours_rate = rows / ours_seconds
    limit_rate = rows / limit_seconds
    return {
        "name": "import",
        "value": round(ours_rate),
        "unit": "rows/s",
        "limit_name": "raw executemany of the same prepared rows into the same table",
        "limit_value": round(limit_rate),
        "ratio": round(ours_rate / limit_rate, 3),
        "rows": rows,
        "seconds": round(ours_seconds, 2),
        "limit_seconds": round(limit_seconds, 2),
        "workbook_mb": round(source.stat().st_size / 2**20, 1),
        "peak_memory_mb": round(peak, 1) if peak else None,
        "baseline_memory_mb": round(baseline, 1),
        "memory_mb_at": samples,
        "writes_per_row": "resident + audit entry (+ tags for ~15 % of rows)",
        "machine": machine(),
    }


def _world() -> tuple[Any, list[str]]:
    from gridgov.areas.models import Area, AreaLevel
    from gridgov.core.models import User

    district = Area.objects.create(level=AreaLevel.DISTRICT, code="110105", name="朝晖区")
    street = Area.objects.create(
        level=AreaLevel.STREET, code="110105001", name="和平街道", parent=district
    )
    codes = []
    for c in range(1, 5):
        community = Area.objects.create(
            level=AreaLevel.COMMUNITY, code=f"110105001{c:03d}", name=f"第{c}社区", parent=street
        )
        for g in range(1, GRIDS // 4 + 1):
            grid = Area.objects.create(
                level=AreaLevel.GRID,
                code=f"{community.code}{g:03d}",
                name=f"第{c}社区第{g}网格",
                parent=community,
            )
            codes.append(grid.code)
    admin = User.objects.create_superuser("bench-admin", password=None)
    return admin, codes


def _generate(path: Path, rows: int, codes: list[str]) -> None:
    import xlsxwriter

    from gridgov.core.identifiers import id_number_check_character
    from gridgov.demo.names import person_name
    from gridgov.registry.importing import labels

    rng = random.Random(2026)  # noqa: S311 (fictional test data)
    first_day = datetime.date(1935, 1, 1)
    days = (datetime.date(2015, 12, 31) - first_day).days  # not a multiple of 7919: a bijection
    tags = list(labels.RESIDENT_TAG.values())
    residence = ["户籍"] * 14 + ["流动"] * 5 + ["境外"]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("居民")
    sheet.write_row(
        0,
        0,
        [
            "姓名",
            "证件类型",
            "证件号码",
            "联系电话",
            "人口类型",
            "户籍地址",
            "现住址",
            "所属区域编码",
            "重点人群",
            "备注",
        ],
    )
    for i in range(rows):
        # (birth day, sequence) is unique for every i: i → i·7919 mod days is a bijection.
        born = first_day + datetime.timedelta(days=(i * 7919) % days)
        sequence = (i // days) * 131 % 1000
        body = f"{REGIONS[i % len(REGIONS)]}{born:%Y%m%d}{sequence:03d}"
        number = body + id_number_check_character(body)
        sex = "male" if int(body[16]) % 2 else "female"
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        chosen = rng.sample(tags, rng.choice((1, 1, 2))) if rng.random() < 0.15 else []
        sheet.write_row(
            i + 1,
            0,
            [
                person_name(rng, sex),
                "",
                number,
                phone,
                rng.choice(residence),
                f"某省某市某区{rng.randrange(1, 300)}号",
                f"和平街道{rng.randrange(1, 40)}号楼{rng.randrange(1, 6)}单元{rng.randrange(101, 2400)}室",
                rng.choice(codes),
                ",".join(chosen),
                "",
            ],
        )
    book.close()


def _status_kb(key: str) -> float | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def _rss_mb() -> float:
    value = _status_kb("VmRSS")
    if value is None:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return value / 1024


def _reset_peak_memory() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # resets VmHWM, the peak resident set
    except OSError:
        pass


def _peak_mb() -> float | None:
    value = _status_kb("VmHWM")
    return value / 1024 if value is not None else None
