"""The case loop (接诉即办 · 吹哨报到): categories, cases, their timeline, summoned departments.

Nothing writes ``Case.status`` but ``gridgov.cases.workflow.transition``; the timeline
(``CaseEvent``) is the record every figure (KPI) is computed from.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.core.fields import BlindIndexField, EncryptedField, ExactCharField
from gridgov.core.scoping import Scope, ScopedQuerySet


class HandlingLevel(models.TextChoices):
    """Where a category is normally settled ("小事不出网格、大事不出社区")."""

    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DEPARTMENT = "department", _("Department")


class Category(models.Model):
    """A class (2-digit code) or a subclass (4-digit code) of the case taxonomy."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subclasses",
    )
    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=64)
    filing_condition = models.TextField(_("filing condition"), blank=True)
    # Words residents use for this kind of problem (space-separated); the category suggestion of
    # the report pages scores a description against them, the name and the filing condition.
    keywords = models.TextField(_("keywords"), blank=True)
    closing_condition = models.TextField(_("closing condition"), blank=True)
    handling_level = models.CharField(
        _("default handling level"),
        max_length=16,
        choices=HandlingLevel.choices,
        default=HandlingLevel.GRID,
    )
    default_department_kind = models.CharField(
        _("default department (kind)"), max_length=32, blank=True
    )
    claim_within = models.DurationField(_("claim within"), default=datetime.timedelta(hours=2))
    resolve_within = models.DurationField(
        _("resolve within (ordinary)"), default=datetime.timedelta(days=7)
    )
    resolve_within_urgent = models.DurationField(
        _("resolve within (urgent)"), default=datetime.timedelta(hours=24)
    )
    working_time = models.BooleanField(
        _("deadlines count working time"),
        default=True,
        help_text=_("Off for emergencies and utilities: their clock runs day and night."),
    )
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Never shown on public lists (disputes, help for a person, public security)."),
    )
    gbt_class = models.CharField(
        _("GB/T 30428.2 class"),
        max_length=32,
        blank=True,
        help_text=_("The urban-management class this category maps onto, if any."),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_class(self) -> bool:
        return self.parent_id is None


class CaseStatus(models.TextChoices):
    REPORTED = "reported", pgettext_lazy("case status", "Reported")
    ACCEPTED = "accepted", pgettext_lazy("case status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("case status", "Rejected")
    DISPATCHED = "dispatched", pgettext_lazy("case status", "Dispatched")
    CLAIMED = "claimed", pgettext_lazy("case status", "Claimed")
    RESOLVED = "resolved", pgettext_lazy("case status", "Resolved")
    VERIFIED = "verified", pgettext_lazy("case status", "Verified")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")
    RATED = "rated", pgettext_lazy("case status", "Rated")
    SUSPENDED = "suspended", pgettext_lazy("case status", "Suspended")
    MERGED = "merged", pgettext_lazy("case status", "Merged")


OPEN_STATUSES = frozenset(
    {
        CaseStatus.REPORTED,
        CaseStatus.ACCEPTED,
        CaseStatus.DISPATCHED,
        CaseStatus.CLAIMED,
        CaseStatus.RESOLVED,
        CaseStatus.VERIFIED,
        CaseStatus.SUSPENDED,
    }
)
FINISHED_STATUSES = frozenset(
    {CaseStatus.CLOSED, CaseStatus.RATED, CaseStatus.REJECTED, CaseStatus.MERGED}
)


class Channel(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    PATROL = "patrol", _("Grid-worker patrol")
    SOS = "sos", _("SOS button")
    HOTLINE = "hotline", _("Hotline")
    API = "api", _("API")
    DELIBERATION = "deliberation", _("Deliberation")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Ordinary")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class CaseQuerySet(ScopedQuerySet):
    scope_area_field = "area"
    scope_owner_field = "reporter_user"

    @staticmethod
    def scope_q(scope: Scope) -> Q | None:
        # A department sees what was dispatched or whistled to it (any of its summons). An IN
        # over its (few) summonses, not an EXISTS per case: on 50,000 cases SQLite answers the
        # department's list in 3 ms instead of 4 s.
        if not scope.department_ids:
            return None
        return Q(
            pk__in=Subquery(
                CaseSummons.objects.filter(department_id__in=scope.department_ids).values("case_id")
            )
        )

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Case(models.Model):
    """One problem reported by a resident, a grid worker, a hotline or a device (诉求 / 案件)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("case number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    client_key = ExactCharField(
        _("client idempotency key"), max_length=64, null=True, blank=True, unique=True
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # (category, reported_at) serves it
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # Where: the point (WGS-84), the address, and the area the locator found (or the street's
    # dispatch queue with ``outside_grids`` when the point lies outside every grid).
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # (area, status) serves it
    )
    outside_grids = models.BooleanField(_("outside every grid"), default=False)
    # Who reported it.
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_cases",
    )
    reporter_name = models.CharField(_("reporter name"), max_length=64, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    callback_phone = EncryptedField(
        _("callback phone"), kind="phone", blind_index="callback_phone_index"
    )
    callback_phone_index = BlindIndexField()
    # Where it stands. Only workflow.transition writes status, assignee and deadlines.
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REPORTED
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        db_index=False,  # a partial index (Meta.indexes)
    )
    assignee_area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("assigned area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        db_index=False,  # a partial index (Meta.indexes)
    )
    assignee_department = models.ForeignKey(
        "core.Department",
        verbose_name=_("assigned department (lead)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        db_index=False,  # a partial index (Meta.indexes)
    )
    handling_level = models.CharField(
        _("handling level"), max_length=16, choices=HandlingLevel.choices, blank=True
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    supervised = models.BooleanField(_("supervised"), default=False)
    whistled = models.BooleanField(_("whistled"), default=False)
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown on the public list of the community.")
    )
    hidden = models.BooleanField(_("hidden by moderation"), default=False)
    # Clock.
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    claim_due_at = models.DateTimeField(_("claim by"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a partial index (Meta.indexes)
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspended_from = models.CharField(max_length=16, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    result = models.TextField(_("result"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    extension_requested = models.DurationField(_("extension requested"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=200, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
        db_index=False,  # a partial index (Meta.indexes)
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        # Columns empty until a later step are indexed where set only: a new report then writes
        # 11 index entries instead of 21 (and the area and category have their pair's index).
        # The open cases by status and by area carry their deadline and supervision, so that
        # what stands now (open, overdue, supervised) is counted from the indexes alone: a city
        # of 10,000,000 cases has hundreds of thousands open.
        indexes = [
            models.Index(
                fields=["status", "resolve_due_at", "supervised"], name="cases_status_due"
            ),
            models.Index(
                fields=["area", "status", "resolve_due_at", "supervised"], name="cases_area_status"
            ),
            models.Index(fields=["category", "reported_at"]),
            *(
                models.Index(
                    fields=[name],
                    name=f"cases_{name}_set",
                    condition=Q(**{f"{name}__isnull": False}),
                )
                for name in (
                    "assignee_user",
                    "assignee_area",
                    "assignee_department",
                    "resolved_by",
                    "merged_into",
                    "claim_due_at",
                    "resolve_due_at",
                    "closed_at",
                )
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="case_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class SummonsRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    ASSIST = "assist", _("Assisting")


class CaseSummons(models.Model):
    """A department summoned to a case (吹哨报到), or the department it was dispatched to.

    Each must claim (报到) before its deadline; an assisting department also reports its part
    done before the lead may resolve the case.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="summons"
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="summons",
    )
    role = models.CharField(_("role"), max_length=8, choices=SummonsRole.choices)
    summoned_at = models.DateTimeField(_("summoned at"), default=timezone.now)
    claim_due_at = models.DateTimeField(_("report in by"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("reported in at"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported in by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(_("part done at"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summonses")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=Q(active=True),
                name="case_summons_one_active_per_department",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.department} ({self.get_role_display()})"


class EventVisibility(models.TextChoices):
    PUBLIC = "public", _("Public update (the reporter sees it)")
    INTERNAL = "internal", _("Internal note")


class CaseEventQuerySet(ScopedQuerySet):
    scope_area_field = "case__area"


class CaseEvent(models.Model):
    """One line of a case's timeline: who did what, when, from which state to which."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # (case, at) serves it
    )
    action = ExactCharField(_("action"), max_length=32, db_index=True)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    visibility = models.CharField(
        _("visibility"),
        max_length=8,
        choices=EventVisibility.choices,
        default=EventVisibility.INTERNAL,
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # What follows this step and is not done yet (rollup counts, notifications, deadline
    # checks): the outbox of gridgov.cases.followups, cleared once carried out.
    follow_up = models.JSONField(null=True, blank=True, editable=False)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"]),
            # Only the few entries still waiting: the relay finds them without a scan.
            models.Index(
                fields=["id"],
                condition=Q(follow_up__isnull=False),
                name="cases_event_follow_up_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class AttachmentKind(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")
    OTHER = "other", _("Other")


class CaseAttachment(models.Model):
    """A photo or document of a case (before/after), stored through the scoped file service."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(
        CaseEvent,
        verbose_name=_("timeline entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.ForeignKey(
        "core.StoredFile", verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=AttachmentKind.choices, default=AttachmentKind.OTHER
    )
    redacted = models.BooleanField(_("redacted by moderation"), default=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class LinkKind(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate of")
    RELATED = "related", _("Related to")


class CaseLink(models.Model):
    """A link between two cases (a duplicate kept apart, or related cases)."""

    from_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_out")
    to_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_case", "to_case", "kind"], name="case_link_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_case_id} {self.kind} {self.to_case_id}"


class CaseNumberCounter(models.Model):
    """The last sequence number given to a case on one day (local date, YYYYMMDD).

    A case number is the day and its sequence (``20261204000042``). One row per day, raised by
    one UPSERT in the reporting transaction: concurrent reports wait on this row's lock instead
    of reading the same highest number and failing on the unique constraint.
    """

    day = models.CharField(_("day"), max_length=8, primary_key=True)
    last = models.PositiveIntegerField(_("last sequence number"))

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class CaseFollower(models.Model):
    """A person who follows a case: its reporter, and reporters of cases merged into it ("me too")."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    phone = EncryptedField(_("phone"), kind="phone", blind_index="phone_index")
    phone_index = BlindIndexField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")

    def __str__(self) -> str:
        return f"{self.case_id} follower"


class ReplyTemplate(models.Model):
    """A reply used again and again (常用回复); may fire on a state change as the public update."""

    title = models.CharField(_("title"), max_length=64)
    text = models.TextField(_("text"))
    fires_on = models.CharField(
        _("sent automatically on"),
        max_length=16,
        choices=CaseStatus.choices,
        blank=True,
        help_text=_("Leave empty for a reply staff pick by hand."),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("only for category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reply_templates",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
