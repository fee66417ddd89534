"""Storing uploaded files: size limits, a checksum, a random stored name, a scoped owner.

``stored_file_create`` is the one way a file enters the platform; views, the API and imports call
it. Downloads go only through ``gridgov.core.views.files.download`` (scoped, with a session).
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from gridgov.core.logging import redact
from gridgov.core.models import StoredFile
from gridgov.core.scoping import visible_to

# Types whose first bytes we recognise; a claimed type is replaced by what the bytes say.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
# Types a browser would run or render as a page: never trusted from the uploader.
_ACTIVE_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
    }
)
OCTET_STREAM = "application/octet-stream"
# Raster images a browser may show inline; everything else downloads as an attachment.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def sniff_content_type(head: bytes, claimed: str) -> str:
    """What we store as the file's type: the recognised signature, else the claimed type unless
    it is an image (unproven) or something a browser would execute, else octet-stream."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    claimed = (claimed or "").split(";", 1)[0].strip().lower()
    if not claimed or claimed.startswith("image/") or claimed in _ACTIVE_TYPES:
        return OCTET_STREAM
    return claimed[:100]


def clean_original_name(name: str) -> str:
    """The uploader's file name, as shown on download: no path, no control characters, at most
    255 characters, and no ID or phone number in clear (file names often carry them)."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(
        ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C"
    )
    name = redact(name).strip() or "file"
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = (
            (stem[: 254 - len(extension)] + dot + extension)
            if dot and len(extension) < 16
            else name[:255]
        )
    return name


def stored_file_create(*, upload: UploadedFile, area: Any, actor: Any) -> StoredFile:
    """Store ``upload`` for ``area`` (or, with no area, for the uploader alone).

    Raises ValidationError for an empty file or one over GRIDGOV_MAX_UPLOAD_BYTES, and
    PermissionDenied when ``area`` is outside the actor's scope.
    """
    limit = settings.GRIDGOV_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise _too_large(limit)
    if area is not None:
        from gridgov.areas.models import Area

        if not visible_to(Area.objects.filter(pk=area.pk), actor).exists():
            raise PermissionDenied
    digest = hashlib.sha256()
    size = 0
    head = b""
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        size += len(chunk)
        if size > limit:  # the declared size can lie; the bytes cannot
            raise _too_large(limit)
        digest.update(chunk)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)

    stored = StoredFile(
        area=area,
        original_name=clean_original_name(upload.name or ""),
        content_type=sniff_content_type(head, getattr(upload, "content_type", "") or ""),
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            # The stored name is files/<year>/<month>/<random uuid>: never the uploader's name.
            stored.file.save(stored.id.hex, upload, save=False)
            stored.save()
    except BaseException:
        if stored.file.name:
            stored.file.storage.delete(stored.file.name)
        raise
    return stored


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("The file is larger than the limit of %(limit)s."),
        code="too_large",
        params={"limit": filesizeformat(limit)},
    )
