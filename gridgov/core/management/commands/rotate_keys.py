"""``gridgov rotate_keys``: re-encrypt personal data under the current field key and cipher.

Rotating the field key (GRIDGOV_FIELD_KEYS):

1. Put a new key in front, keeping the old one: ``GRIDGOV_FIELD_KEYS="2:<new>,1:<old>"``
   (a key is ``python -c "import base64,secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())"``).
   Restart: new values are written under version 2, old ones still decrypt under version 1.
2. Run ``gridgov rotate_keys``. Every EncryptedField of every model whose ciphertext carries another
   version (or another cipher, after switching GRIDGOV_FIELD_CIPHER) is re-encrypted, in batches,
   one transaction per batch. It can be stopped and run again at any time.
3. When it reports nothing left, remove the old key: ``GRIDGOV_FIELD_KEYS="2:<new>"``.

Changing the blind-index key (GRIDGOV_BLIND_INDEX_KEY): the index is recomputed from the decrypted
value, so the old index key is not needed. Stop the app (searches by ID number or phone find
nothing between the key change and the end of the run), set the new key, run
``gridgov rotate_keys --reindex``, start the app.

Rows are rewritten with a conditional UPDATE (only if the column still holds the ciphertext that was
read), so a value changed by a user meanwhile is never overwritten with an old one. Re-encryption
does not change any value and writes no audit entry per row; the command logs one summary line.
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from gridgov.core import crypto
from gridgov.core.fields import EncryptedField, encrypted_fields, lookup_value

logger = logging.getLogger("gridgov.rotate_keys")


class Command(BaseCommand):
    help = "Re-encrypt personal data under the current field key and cipher; --reindex recomputes blind indexes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="Also recompute every blind index under the current GRIDGOV_BLIND_INDEX_KEY.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; write nothing."
        )

    def handle(
        self, *args: Any, batch_size: int, reindex: bool, dry_run: bool, **options: Any
    ) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        ring = crypto.keyring()
        self.stdout.write(
            f"current key version {ring.current_version}, cipher {ring.cipher}"
            + (", recomputing blind indexes" if reindex else "")
            + (" (dry run)" if dry_run else "")
        )
        totals = {"rows": 0, "reencrypted": 0, "reindexed": 0, "failed": 0}
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields or model._meta.proxy or not model._meta.managed:
                continue
            counts = self._rotate_model(model, fields, ring, batch_size, reindex, dry_run)
            for key, value in counts.items():
                totals[key] += value
            self.stdout.write(
                f"{model._meta.label}: {counts['rows']} rows, {counts['reencrypted']} values "
                f"re-encrypted, {counts['reindexed']} indexes recomputed, {counts['failed']} failed"
            )
        logger.info(
            "rotate_keys: %(rows)s rows, %(reencrypted)s re-encrypted, %(reindexed)s reindexed, "
            "%(failed)s failed",
            totals,
        )
        if totals["failed"]:
            raise CommandError(
                f"{totals['failed']} values could not be decrypted (moved, altered, or their key is "
                "missing from GRIDGOV_FIELD_KEYS); they were left as they are."
            )

    def _rotate_model(
        self,
        model: type[models.Model],
        fields: list[EncryptedField],
        ring: crypto.Keyring,
        batch_size: int,
        reindex: bool,
        dry_run: bool,
    ) -> dict[str, int]:
        counts = {"rows": 0, "reencrypted": 0, "reindexed": 0, "failed": 0}
        # The base manager: a default manager may hide rows (soft deletes, scoping).
        manager = model._base_manager
        last_pk: Any = None
        while True:
            with transaction.atomic():
                batch = manager.order_by("pk")
                if last_pk is not None:
                    batch = batch.filter(pk__gt=last_pk)
                rows = list(batch.select_for_update()[:batch_size])
                if not rows:
                    return counts
                for instance in rows:
                    counts["rows"] += 1
                    for field in fields:
                        self._rotate_value(manager, instance, field, ring, reindex, dry_run, counts)
                last_pk = rows[-1].pk

    def _rotate_value(
        self,
        manager: models.Manager,
        instance: models.Model,
        field: EncryptedField,
        ring: crypto.Keyring,
        reindex: bool,
        dry_run: bool,
        counts: dict[str, int],
    ) -> None:
        stored = field.stored_ciphertext(instance)
        if not stored:
            return  # empty
        rotate = crypto.needs_rotation(stored, ring)
        if not rotate and not (reindex and field.blind_index):
            return
        aad = field.associated_data(instance)
        try:
            plain = crypto.decrypt(stored, aad, ring)
        except crypto.DecryptionError:
            counts["failed"] += 1
            self.stderr.write(
                f"{instance._meta.label} pk={instance.pk} {field.name}: cannot decrypt"
            )
            return
        updates: dict[str, Any] = {}
        if rotate:
            updates[field.attname] = crypto.encrypt(plain, aad, ring)
        if reindex and field.blind_index:
            index = lookup_value(field, plain)
            if getattr(instance, field.blind_index) != index:
                updates[field.blind_index] = index
        if not updates:
            return
        if not dry_run:
            # Compare-and-set: only if the column still holds what we decrypted.
            written = manager.filter(pk=instance.pk, **{field.attname: stored}).update(**updates)
            if not written:
                return
        if field.attname in updates:
            counts["reencrypted"] += 1
        if field.blind_index in updates:
            counts["reindexed"] += 1
