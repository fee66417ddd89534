"""What Open311 may show: services, and the cases the public may see.

Open311 answers anyone (the specification asks no key for reading), so its scope is the public
one, decided here and nowhere else: a case is listed when staff made it public, moderation has
not hidden it, and its category is not sensitive. Photos are shown only from those cases, and
never a redacted one.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from gridgov.cases.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    Category,
    EventVisibility,
)
from gridgov.core.files import INLINE_TYPES
from gridgov.core.models import StoredFile
from gridgov.open311.models import ServiceAttribute


def services() -> QuerySet[Category]:
    """Active subcategories of active classes, each with ``has_attributes``."""
    return (
        Category.objects.filter(active=True, parent__isnull=False, parent__active=True)
        .select_related("parent")
        .annotate(has_attributes=Exists(ServiceAttribute.objects.filter(category=OuterRef("pk"))))
        .order_by("code")
    )


def service(code: str) -> Category | None:
    return services().filter(code=code).first()


def _public_photos() -> QuerySet[CaseAttachment]:
    return CaseAttachment.objects.filter(
        redacted=False, file__content_type__in=INLINE_TYPES
    ).order_by("id")


def _listed() -> QuerySet[Case]:
    return Case.objects.filter(
        public=True, hidden=False, category__sensitive=False, category__parent__sensitive=False
    )


def listed_cases() -> QuerySet[Case]:
    """The cases Open311 lists: public, not hidden, not of a sensitive category."""
    return (
        _listed()
        .select_related("category", "area", "assignee_department", "assignee_area")
        .prefetch_related(Prefetch("attachments", _public_photos(), to_attr="public_photos"))
    )


def public_photo_file(file_id: str) -> StoredFile | None:
    """A stored photo anyone may fetch: an unredacted image of a listed case."""
    attachment = (
        _public_photos()
        .filter(file_id=file_id, case__in=_listed().values("pk"))
        .select_related("file")
        .first()
    )
    return attachment.file if attachment else None


def updates() -> QuerySet[CaseEvent]:
    """The timeline entries a client sees as updates: every public update and every change of
    status of a listed case (an internal step shows only as its new status, without its note).
    The report itself is the request, not an update."""
    return (
        CaseEvent.objects.filter(case__in=_listed().values("pk"))
        .exclude(action="report")
        .filter(Q(visibility=EventVisibility.PUBLIC) | ~Q(from_status=F("to_status")))
        .select_related("case")
        .prefetch_related(Prefetch("attachments", _public_photos(), to_attr="public_photos"))
        .order_by("at", "id")
    )
