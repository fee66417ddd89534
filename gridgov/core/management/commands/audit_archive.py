"""``gridgov audit_archive [--older-than-days N] [--output DIR]``: move old audit entries to a file.

Entries older than N days (default GRIDGOV_AUDIT_RETENTION_DAYS; never fewer than 180) are written
to ``DATA_DIR/archive/audit-<cutoff>-<run time>.jsonl.gz``, one JSON object a line, beside a
``.sha256`` file in ``sha256sum`` format; the SHA-256 is printed and recorded in the audit log
itself (an entry on the LogEntry type with the file name, count and cutoff). Then exactly the
written entries are deleted. Everything runs in one transaction: if writing the file fails,
nothing is deleted, and if deleting fails, the file is removed.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from gridgov.core.audit import MINIMUM_RETENTION_DAYS

DELETE_CHUNK = 500
# Fixed English names (not the translated labels): an archive reads the same in every locale.
ACTION_NAMES = {
    LogEntry.Action.CREATE: "create",
    LogEntry.Action.UPDATE: "update",
    LogEntry.Action.DELETE: "delete",
    LogEntry.Action.ACCESS: "access",
}


def entry_as_dict(entry: LogEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "timestamp": entry.timestamp.isoformat(),
        "action": entry.action,
        "action_name": ACTION_NAMES.get(entry.action, str(entry.action)),
        "content_type": f"{entry.content_type.app_label}.{entry.content_type.model}",
        "object_pk": entry.object_pk,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "changes_text": entry.changes_text,
        "serialized_data": entry.serialized_data,
        "additional_data": entry.additional_data,
        "actor_id": entry.actor_id,
        "actor_username": entry.actor.get_username() if entry.actor else None,
        "actor_email": entry.actor_email,
        "remote_addr": entry.remote_addr,
        "remote_port": entry.remote_port,
        "cid": entry.cid,
    }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Write audit entries older than N days (at least 180) to a gzip JSON-lines file, then delete them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-days", type=int, default=None)
        parser.add_argument("--output", type=Path, default=None)

    def handle(
        self, *args: Any, older_than_days: int | None, output: Path | None, **options: Any
    ) -> None:
        days = settings.GRIDGOV_AUDIT_RETENTION_DAYS if older_than_days is None else older_than_days
        if days < MINIMUM_RETENTION_DAYS:
            raise CommandError(
                f"Audit entries are kept at least {MINIMUM_RETENTION_DAYS} days; "
                f"refusing to archive entries younger than {days} days."
            )
        directory = Path(output) if output else Path(settings.DATA_DIR) / "archive"
        directory.mkdir(parents=True, exist_ok=True)
        now = timezone.now()
        cutoff = now - datetime.timedelta(days=days)
        name = f"audit-{cutoff:%Y%m%dT%H%M%SZ}-{now:%Y%m%dT%H%M%S%fZ}.jsonl.gz"
        final = directory / name
        partial = directory / (name + ".part")
        checksum_file = directory / (name + ".sha256")
        if final.exists():
            raise CommandError(f"{final} exists already")
        if not LogEntry.objects.filter(timestamp__lt=cutoff).exists():
            self.stdout.write(f"No audit entries older than {days} days.")
            return

        try:
            with transaction.atomic():
                ids, digest = self._write(cutoff, partial)
                if not ids:
                    partial.unlink()
                    self.stdout.write(f"No audit entries older than {days} days.")
                    return
                os.replace(partial, final)
                checksum_file.write_text(f"{digest}  {name}\n")
                for start in range(0, len(ids), DELETE_CHUNK):
                    chunk = ids[start : start + DELETE_CHUNK]
                    deleted, _ = LogEntry.objects.filter(pk__in=chunk).delete()
                    if deleted != len(chunk):
                        raise CommandError(
                            "audit entries changed during the archive; nothing deleted"
                        )
                LogEntry.objects.create(
                    content_type=ContentType.objects.get_for_model(LogEntry),
                    object_pk=name,
                    object_repr=f"audit archive {name}",
                    action=LogEntry.Action.DELETE,
                    changes={"archived": [str(len(ids)), digest]},
                    additional_data={
                        "archive": name,
                        "sha256": digest,
                        "entries": len(ids),
                        "first_id": ids[0],
                        "last_id": ids[-1],
                        "cutoff": cutoff.isoformat(),
                    },
                )
        except BaseException:
            for path in (partial, final, checksum_file):
                path.unlink(missing_ok=True)
            raise
        self.stdout.write(f"Archived {len(ids)} audit entries older than {days} days to {final}")
        self.stdout.write(f"SHA-256 {digest}")

    def _write(self, cutoff: datetime.datetime, path: Path) -> tuple[list[int], str]:
        ids: list[int] = []
        entries = (
            LogEntry.objects.filter(timestamp__lt=cutoff)
            .select_related("actor", "content_type")
            .order_by("pk")
        )
        with path.open("xb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as archive:
            for entry in entries.iterator(chunk_size=2000):
                line = json.dumps(entry_as_dict(entry), ensure_ascii=False, sort_keys=True)
                archive.write(line.encode() + b"\n")
                ids.append(entry.pk)
        with path.open("rb+") as handle:
            os.fsync(handle.fileno())
        return ids, file_sha256(path)
