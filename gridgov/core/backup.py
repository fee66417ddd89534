"""Backup and restore of one installation: the database, the uploaded files and a manifest.

A backup is a directory (or the same directory as a ``.tar``/``.tar.gz`` archive) holding

- ``database.sqlite3`` (SQLite, copied with the online backup API, so a running server can be backed
  up) or ``database.dump`` (PostgreSQL, ``pg_dump`` custom format);
- ``files/media/…`` (uploaded photos and scans) and ``files/archive/…`` (archived audit records);
- ``manifest.json``: gridgov version, engine, creation time, row counts per table, and the SHA-256
  of the dump and of every file;
- ``secrets.json`` only when asked for (``--with-keys``): the keys are meant to be kept apart.

Consistency: the row counts are taken from the same snapshot as the dump (the SQLite copy itself,
or PostgreSQL's exported snapshot that ``pg_dump --snapshot`` reads), and the files are copied
after the database, so every file a backed-up row names is already on disk (a file is stored before
its row commits); a file uploaded meanwhile is carried along harmlessly.

The checksums catch a damaged or edited backup; they do not stop someone who can rewrite the
manifest too, so keep backups on storage only the operators can write.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 (pg_dump and pg_restore, with argument lists, never a shell) # nosec B404
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

import gridgov

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_DUMP = "database.sqlite3"
POSTGRES_DUMP = "database.dump"
KEYS_FILE = "secrets.json"
FILES_DIR = "files"
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz")
KEYS_WARNING = (
    "WARNING: this backup holds the encryption keys (secrets.json). Whoever holds it can read every "
    "ID number and phone number in it. Store it encrypted, apart from ordinary backups, and never "
    "on the same medium as a backup without keys."
)


class BackupError(Exception):
    """A backup that cannot be made, or one that must not be restored (nothing was changed)."""


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    mismatches: list[str] = field(default_factory=list)
    moved_aside: list[Path] = field(default_factory=list)
    keys_written: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.mismatches


def file_roots() -> dict[str, Path]:
    """The directories whose files a backup carries, by the name they have inside the backup."""
    return {
        "media": Path(settings.MEDIA_ROOT),
        "archive": Path(settings.DATA_DIR) / "archive",
    }


def _engine() -> str:
    vendor = connections["default"].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"unsupported database engine: {vendor}")
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _walk(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for directory, _dirs, names in os.walk(root):
        for name in sorted(names):
            yield Path(directory) / name


def _is_archive(path: Path) -> bool:
    return path.name.endswith(ARCHIVE_SUFFIXES)


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_path() -> Path:
    name = str(connections["default"].settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(name)


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    quote = '"{}"'.format
    return {
        table: db.execute(
            "SELECT count(*) FROM " + quote(table.replace('"', '""'))  # noqa: S608 (a table name from sqlite_master, quoted) # nosec B608
        ).fetchone()[0]
        for table in tables
    }


def _sqlite_dump(target: Path) -> dict[str, int]:
    source_path = _sqlite_path()
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    source = sqlite3.connect(source_path, timeout=20)
    copy = sqlite3.connect(target)
    try:
        # One step: in WAL mode the copy reads one consistent snapshot while writers go on; a
        # step-by-step copy would restart each time the running server commits.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return _sqlite_counts(copy)
    finally:
        copy.close()
        source.close()


def _sqlite_is_empty() -> bool:
    path = _sqlite_path()
    if not path.exists() or path.stat().st_size == 0:
        return True
    db = sqlite3.connect(path, timeout=20)
    try:
        return not _sqlite_counts(db)
    finally:
        db.close()


def _sqlite_restore(dump: Path) -> None:
    connections.close_all()
    target_path = _sqlite_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    target = sqlite3.connect(target_path, timeout=20)
    try:
        source.backup(target)  # page by page into the live file, under SQLite's own locking
    finally:
        target.close()
        source.close()


def _sqlite_current_counts() -> dict[str, int]:
    db = sqlite3.connect(_sqlite_path(), timeout=20)
    try:
        return _sqlite_counts(db)
    finally:
        db.close()


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_settings() -> dict[str, Any]:
    return connections["default"].settings_dict


def _pg_env() -> dict[str, str]:
    """The connection for pg_dump/pg_restore, through libpq's variables (no password in argv)."""
    params = _pg_settings()
    environment = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if params.get(key):
            environment[variable] = str(params[key])
    sslmode = (params.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        environment["PGSSLMODE"] = str(sslmode)
    return environment


def _pg_connect() -> Any:
    import psycopg

    params = _pg_settings()
    arguments = {
        "dbname": params.get("NAME"),
        "user": params.get("USER") or None,
        "password": params.get("PASSWORD") or None,
        "host": params.get("HOST") or None,
        "port": params.get("PORT") or None,
    }
    return psycopg.connect(
        **{key: value for key, value in arguments.items() if value}, autocommit=True
    )


def _pg_counts(db: Any) -> dict[str, int]:
    from psycopg import sql

    tables = [
        row[0]
        for row in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    ]
    return {
        table: db.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        for table in tables
    }


def _run(argv: list[str]) -> None:
    tool = shutil.which(argv[0])
    if tool is None:
        raise BackupError(f"{argv[0]} not found: install Debian's postgresql-client")
    result = subprocess.run(  # noqa: S603 (fixed tool, argument list) # nosec B603
        [tool, *argv[1:]], env=_pg_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {result.stderr.strip()}")


def _pg_dump(target: Path) -> dict[str, int]:
    with _pg_connect() as db:
        # The counts and pg_dump read the same snapshot, so they describe the same rows.
        db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = db.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = _pg_counts(db)
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"])
        db.execute("COMMIT")
    return counts


def _pg_is_empty() -> bool:
    with _pg_connect() as db:
        return not db.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() LIMIT 1"
        ).fetchone()


def _pg_restore(dump: Path) -> None:
    connections.close_all()  # our own idle sessions must not hold locks the DROPs wait for
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_pg_settings()['NAME']}",
            str(dump),
        ]
    )


def _pg_current_counts() -> dict[str, int]:
    with _pg_connect() as db:
        return _pg_counts(db)


# --- Backup ---------------------------------------------------------------------------------


def _keys() -> dict[str, str]:
    return {
        "secret_key": settings.SECRET_KEY,
        "field_keys": settings.GRIDGOV_FIELD_KEYS,
        "blind_index_key": settings.GRIDGOV_BLIND_INDEX_KEY,
    }


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _fill(directory: Path, *, with_keys: bool) -> dict[str, Any]:
    engine = _engine()
    dump_name = SQLITE_DUMP if engine == "sqlite" else POSTGRES_DUMP
    dump = directory / dump_name
    counts = _sqlite_dump(dump) if engine == "sqlite" else _pg_dump(dump)
    files: dict[str, dict[str, Any]] = {}
    for name, root in file_roots().items():
        for source in _walk(root):
            relative = PurePosixPath(name, source.relative_to(root).as_posix())
            copy = directory / FILES_DIR / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
            files[str(relative)] = {"sha256": _sha256(copy), "size": copy.stat().st_size}
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "gridgov_version": gridgov.__version__,
        "engine": engine,
        "created_at": timezone.now().isoformat(),
        "database": {"file": dump_name, "sha256": _sha256(dump), "size": dump.stat().st_size},
        "tables": counts,
        "files": files,
        "keys": None,
    }
    if with_keys:
        keys = directory / KEYS_FILE
        _write_private(keys, json.dumps(_keys(), indent=2))
        manifest["keys"] = {"file": KEYS_FILE, "sha256": _sha256(keys)}
    _write_private(directory / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def backup_create(*, path: Path, with_keys: bool = False) -> dict[str, Any]:
    """Back up the configured database and the uploaded files to ``path``; returns the manifest.

    ``path`` must not exist yet (or be an empty directory); a name ending in .tar, .tar.gz or .tgz
    makes an archive instead of a directory.
    """
    path = Path(path)
    if _is_archive(path):
        if path.exists():
            raise BackupError(f"{path} exists already")
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".gridgov-backup-") as work:
            os.chmod(work, 0o700)
            manifest = _fill(Path(work), with_keys=with_keys)
            partial = path.with_name(path.name + ".partial")
            with tarfile.open(partial, "w:gz" if path.name.endswith("gz") else "w") as archive:
                for item in sorted(Path(work).iterdir()):
                    archive.add(item, arcname=item.name)
            os.chmod(partial, 0o600)
            partial.rename(path)  # a half-written archive never carries the final name
        return manifest
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(f"{path} exists and is not empty")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        return _fill(path, with_keys=with_keys)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)  # never leave a backup that looks whole
        raise


# --- Restore --------------------------------------------------------------------------------


def _safe_relative(name: str) -> PurePosixPath:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or len(relative.parts) < 2:
        raise BackupError(f"the manifest names an unsafe path: {name!r}")
    if relative.parts[0] not in file_roots():
        raise BackupError(f"the manifest names an unknown file root: {name!r}")
    return relative


def backup_verify(directory: Path) -> dict[str, Any]:
    """Check an unpacked backup against its manifest; return the manifest or raise BackupError."""
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{directory} holds no {MANIFEST}: not a gridgov backup")
    try:
        manifest = json.loads(manifest_path.read_text())
    except ValueError as error:
        raise BackupError(f"{MANIFEST} is not valid JSON: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    problems: list[str] = []
    database = manifest["database"]
    if database["file"] not in (SQLITE_DUMP, POSTGRES_DUMP):
        raise BackupError(f"the manifest names an unknown dump: {database['file']!r}")
    dump = directory / database["file"]
    if not dump.is_file():
        problems.append(f"missing: {database['file']}")
    elif _sha256(dump) != database["sha256"]:
        problems.append(f"checksum differs: {database['file']}")
    listed = set()
    for name, expected in manifest["files"].items():
        relative = _safe_relative(name)
        listed.add(relative)
        copy = directory / FILES_DIR / relative
        if not copy.is_file():
            problems.append(f"missing: {name}")
        elif _sha256(copy) != expected["sha256"]:
            problems.append(f"checksum differs: {name}")
    for copy in _walk(directory / FILES_DIR):
        relative = PurePosixPath(copy.relative_to(directory / FILES_DIR).as_posix())
        if relative not in listed:
            problems.append(f"not in the manifest: {relative}")
    keys = manifest.get("keys")
    if keys:
        if not (directory / KEYS_FILE).is_file():
            problems.append(f"missing: {KEYS_FILE}")
        elif _sha256(directory / KEYS_FILE) != keys["sha256"]:
            problems.append(f"checksum differs: {KEYS_FILE}")
    if problems:
        raise BackupError("the backup does not match its manifest: " + "; ".join(problems))
    return manifest


def _unpacked(path: Path, work: Path) -> Path:
    if path.is_dir():
        return path
    if not path.is_file() or not tarfile.is_tarfile(path):
        raise BackupError(f"{path} is neither a backup directory nor a backup archive")
    with tarfile.open(path) as archive:
        archive.extractall(work, filter="data")  # no absolute paths, links out or devices
    return work


def _restore_files(directory: Path, manifest: dict[str, Any], stamp: str) -> list[Path]:
    moved: list[Path] = []
    for name, root in file_roots().items():
        staging = root.with_name(f"{root.name}.restoring-{stamp}")
        staging.mkdir(parents=True)
        for relative in manifest["files"]:
            parts = _safe_relative(relative)
            if parts.parts[0] != name:
                continue
            target = staging.joinpath(*parts.parts[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(directory / FILES_DIR / parts, target)
        if root.exists():
            # Kept, not deleted: a restore must never be the step that loses someone's files.
            aside = root.with_name(f"{root.name}.replaced-{stamp}")
            root.rename(aside)
            moved.append(aside)
        staging.rename(root)
    return moved


def _restore_keys(directory: Path, stamp: str) -> Path | None:
    if settings.PRODUCTION:
        return None  # production keys live in the environment file, written by the operator
    target = Path(settings.DATA_DIR) / KEYS_FILE
    if target.exists():
        target.rename(target.with_name(f"{KEYS_FILE}.replaced-{stamp}"))
    _write_private(target, (directory / KEYS_FILE).read_text())
    return target


def _mismatches(manifest: dict[str, Any]) -> list[str]:
    problems = []
    counts = _sqlite_current_counts() if _engine() == "sqlite" else _pg_current_counts()
    for table, expected in manifest["tables"].items():
        actual = counts.get(table)
        if actual != expected:
            problems.append(f"table {table}: {actual} rows, the backup has {expected}")
    roots = file_roots()
    for name, expected in manifest["files"].items():
        parts = _safe_relative(name)
        restored = roots[parts.parts[0]].joinpath(*parts.parts[1:])
        if not restored.is_file():
            problems.append(f"file missing after restore: {name}")
        elif _sha256(restored) != expected["sha256"]:
            problems.append(f"file differs after restore: {name}")
    return problems


def backup_restore(*, path: Path, force: bool = False) -> RestoreReport:
    """Restore the backup at ``path`` into the configured database and data directory.

    Everything is checked before anything is touched: the manifest's checksums, the engine, and
    that the database and the file directories are empty (``force`` replaces them; replaced file
    directories are kept beside the new ones). After the restore the row counts and file checksums
    are compared with the manifest; the report lists every difference.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="gridgov-restore-") as work:
        directory = _unpacked(path, Path(work))
        manifest = backup_verify(directory)
        engine = _engine()
        if manifest["engine"] != engine:
            raise BackupError(
                f"this is a {manifest['engine']} backup; the configured database is {engine}"
            )
        if not force:
            empty = _sqlite_is_empty() if engine == "sqlite" else _pg_is_empty()
            if not empty:
                raise BackupError(
                    "the configured database is not empty; restore into an empty database, "
                    "or use --force to replace its contents"
                )
            for root in file_roots().values():
                if next(_walk(root), None) is not None:
                    raise BackupError(f"{root} holds files; use --force to replace them")
        dump = directory / manifest["database"]["file"]
        if engine == "sqlite":
            _sqlite_restore(dump)
        else:
            _pg_restore(dump)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        report = RestoreReport(manifest=manifest)
        report.moved_aside = _restore_files(directory, manifest, stamp)
        if manifest.get("keys"):
            report.keys_written = _restore_keys(directory, stamp)
        report.mismatches = _mismatches(manifest)
        return report
