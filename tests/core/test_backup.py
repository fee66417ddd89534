"""``gridgov backup`` and ``gridgov restore``: a restored copy holds the same rows, files and secrets.

The SQLite round trip runs the real commands in their own processes, each with its own data
directory, as an operator would: back up a running installation, restore it on a fresh machine.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.core.backup import BackupError, backup_create, backup_restore
from tests.processes import fresh_environment

ROOT = Path(__file__).resolve().parents[2]
# The SQLite round trip runs the commands in their own processes on their own SQLite files:
# once, in the SQLite pass of the suite, not again in the PostgreSQL pass.
sqlite_processes = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="runs in the SQLite pass of the suite"
)
PHONE = "13900000001"

MAKE_DATA = f"""
import io
from PIL import Image
from django.core.files.uploadedfile import SimpleUploadedFile
from gridgov.core.files import stored_file_create
from gridgov.registry.models import Resident
from tests.factories import build_world

world = build_world()
Resident.objects.create(area=world.grid_a, name="王秀英", phone="{PHONE}")
image = io.BytesIO()
Image.new("RGB", (40, 30), (200, 30, 30)).save(image, "PNG")
upload = SimpleUploadedFile("楼道.png", image.getvalue(), content_type="image/png")
stored_file_create(upload=upload, area=world.grid_a, actor=world.worker_a)
"""

READ_BACK = """
import hashlib
from gridgov.core.models import StoredFile
from gridgov.registry.models import Resident

resident = Resident.objects.get(name="王秀英")
stored = StoredFile.objects.get()
with stored.file.open("rb") as handle:
    same = hashlib.sha256(handle.read()).hexdigest() == stored.sha256
print(resident.phone, same)
"""


def gridgov(
    data_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    environment = fresh_environment(data_dir, **(env or {}))
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "gridgov.cli", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def table_counts(database: Path) -> dict[str, int]:
    db = sqlite3.connect(database)
    try:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    finally:
        db.close()


def tree(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def keys_env(data_dir: Path) -> dict[str, str]:
    keys = json.loads((data_dir / "secrets.json").read_text())
    return {
        "GRIDGOV_SECRET_KEY": keys["secret_key"],
        "GRIDGOV_FIELD_KEYS": keys["field_keys"],
        "GRIDGOV_BLIND_INDEX_KEY": keys["blind_index_key"],
    }


@pytest.fixture(scope="module")
def installation(tmp_path_factory) -> dict[str, Path]:
    """A migrated SQLite installation with a world, a resident and a photo, and its backup.

    The backup is taken while another connection holds an uncommitted write, as a running
    server's would: the backup must neither wait for it nor contain it.
    """
    base = tmp_path_factory.mktemp("backup")
    source = base / "source"
    for step in (("migrate", "-v0"), ("shell", "-c", MAKE_DATA)):
        result = gridgov(source, *step)
        assert result.returncode == 0, result.stderr
    busy = sqlite3.connect(source / "gridgov.sqlite3", timeout=1)
    busy.execute("BEGIN IMMEDIATE")
    busy.execute(
        "INSERT INTO django_session (session_key, session_data, expire_date) "
        "VALUES ('uncommitted', 'x', '2099-01-01')"
    )
    try:
        backup = gridgov(source, "backup", str(base / "backup"))
        archive = gridgov(source, "backup", str(base / "backup-with-keys.tar.gz"), "--with-keys")
    finally:
        busy.rollback()
        busy.close()
    assert backup.returncode == 0, backup.stderr
    assert "keys not included" in backup.stdout
    assert archive.returncode == 0, archive.stderr
    assert "WARNING" in archive.stderr and "keys" in archive.stderr
    return {"base": base, "source": source, "backup": base / "backup"}


@pytest.mark.slow
@sqlite_processes
def test_round_trip_restores_identical_rows_and_files_and_decrypts(installation):
    source, backup = installation["source"], installation["backup"]
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["engine"] == "sqlite"
    assert manifest["tables"]["django_session"] == 0  # the uncommitted row stayed out
    assert manifest["tables"]["registry_resident"] == 1
    assert manifest["tables"] == table_counts(source / "gridgov.sqlite3")

    target = installation["base"] / "fresh"
    # The keys are kept apart from the backup and handed to the new machine by the operator.
    restored = gridgov(target, "restore", str(backup), env=keys_env(source))
    assert restored.returncode == 0, restored.stderr
    assert "all identical to the backup" in restored.stdout

    assert table_counts(target / "gridgov.sqlite3") == table_counts(source / "gridgov.sqlite3")
    assert tree(target / "media") == tree(source / "media")
    assert len(tree(target / "media")) == 1
    read = gridgov(target, "shell", "-c", READ_BACK, env=keys_env(source))
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip().splitlines()[-1].split() == [PHONE, "True"]

    # A second restore over the now non-empty installation is refused, and changes nothing.
    before = tree(target)
    again = gridgov(target, "restore", str(backup), env=keys_env(source))
    assert again.returncode != 0
    assert "not empty" in again.stderr and "nothing was restored" in again.stderr
    assert tree(target) == before


@pytest.mark.slow
@sqlite_processes
def test_backup_leaves_the_keys_out_unless_asked(installation):
    source, backup = installation["source"], installation["backup"]
    keys = keys_env(source)
    assert not (backup / "secrets.json").exists()
    for path in backup.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for value in keys.values():
                assert value.split(":")[-1].encode() not in content, path

    # With --with-keys, a fresh machine needs nothing else to read the personal data back.
    target = installation["base"] / "fresh-with-keys"
    restored = gridgov(target, "restore", str(installation["base"] / "backup-with-keys.tar.gz"))
    assert restored.returncode == 0, restored.stderr
    assert "keys were written" in restored.stdout
    assert (target / "secrets.json").stat().st_mode & 0o777 == 0o600
    assert keys_env(target) == keys
    read = gridgov(target, "shell", "-c", READ_BACK)
    assert read.stdout.strip().splitlines()[-1].split() == [PHONE, "True"], read.stderr


def _tamper_file(copy: Path) -> None:
    photo = next(p for p in (copy / "files" / "media").rglob("*") if p.is_file())
    photo.write_bytes(photo.read_bytes()[:-1] + b"\x00")


def _tamper_dump(copy: Path) -> None:
    with (copy / "database.sqlite3").open("ab") as handle:
        handle.write(b"\x00")


def _add_file(copy: Path) -> None:
    (copy / "files" / "media" / "extra.html").write_text("<script>")


def _escape(copy: Path) -> None:
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["media/../../outside"] = {"sha256": "0" * 64, "size": 1}
    (copy / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.slow
@sqlite_processes
@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_tamper_file, "checksum differs: media/"),
        (_tamper_dump, "checksum differs: database.sqlite3"),
        (_add_file, "not in the manifest: media/extra.html"),
        (_escape, "unsafe path"),
    ],
)
def test_a_tampered_backup_is_refused_before_anything_is_touched(
    installation, tmp_path, tamper, message
):
    copy = tmp_path / "copy"
    shutil.copytree(installation["backup"], copy)
    tamper(copy)
    target = tmp_path / "target"
    result = gridgov(target, "restore", str(copy), env=keys_env(installation["source"]))
    assert result.returncode != 0
    assert "nothing was restored" in result.stderr and message in result.stderr
    assert not (target / "gridgov.sqlite3").exists()
    assert not (target / "media").exists()


def test_a_directory_without_a_manifest_is_not_a_backup(tmp_path):
    (tmp_path / "database.sqlite3").write_bytes(b"")
    with pytest.raises(BackupError, match="not a gridgov backup"):
        backup_restore(path=tmp_path)


@pytest.mark.pg
@pytest.mark.django_db(transaction=True)
def test_postgresql_round_trip(world, tmp_path, settings):
    from gridgov.core.files import stored_file_create
    from gridgov.core.models import StoredFile
    from gridgov.registry.models import Resident

    Resident.objects.create(area=world.grid_a, name="王秀英", phone=PHONE)
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 30, 200)).save(image, "PNG")
    stored = stored_file_create(
        upload=SimpleUploadedFile("photo.png", image.getvalue(), content_type="image/png"),
        area=world.grid_a,
        actor=world.worker_a,
    )
    media = Path(settings.MEDIA_ROOT)
    before = tree(media)

    manifest = backup_create(path=tmp_path / "backup")
    assert manifest["engine"] == "postgresql"
    assert manifest["tables"]["registry_resident"] == 1
    assert (tmp_path / "backup" / "database.dump").read_bytes()[:5] == b"PGDMP"

    # Things go wrong after the backup: a resident deleted, a stray file written.
    Resident.objects.all().delete()
    (media / "stray").write_bytes(b"x")

    with pytest.raises(BackupError, match="not empty"):
        backup_restore(path=tmp_path / "backup")
    assert Resident.objects.count() == 0  # refused: nothing changed

    report = backup_restore(path=tmp_path / "backup", force=True)
    assert report.ok, report.mismatches
    assert Resident.objects.get().phone == PHONE
    assert tree(media) == before
    assert StoredFile.objects.get().sha256 == stored.sha256
    assert any(aside.name.startswith("media.replaced-") for aside in report.moved_aside)
