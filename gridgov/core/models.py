"""Accounts, roles on the area tree, departments, and stored files."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.fields import BlindIndexField, EncryptedField
from gridgov.core.scoping import ScopedQuerySet


class Role(models.TextChoices):
    """What a person does, always at a node of the area tree (or for a department)."""

    ADMIN = "admin", _("Administrator")
    STREET_OFFICER = "street_officer", _("Street officer")
    COMMUNITY_SECRETARY = "community_secretary", _("Community secretary")
    GRID_LEADER = "grid_leader", _("Grid leader")
    GRID_WORKER = "grid_worker", _("Grid worker")
    GRID_INSTRUCTOR = "grid_instructor", _("Grid instructor")
    BUILDING_LEADER = "building_leader", _("Building leader")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    RESIDENT = "resident", _("Resident")


# Roles that work in the staff console (residents use the phone pages).
STAFF_ROLES = frozenset(Role) - {Role.RESIDENT}


class GridWorkerKind(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    ASSISTANT = "assistant", _("Assistant")


class User(AbstractUser):
    """A person who signs in: staff of any level, department handlers, and residents."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = EncryptedField(_("phone"), kind="phone", blind_index="phone_index")
    phone_index = BlindIndexField()
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set for accounts an administrator created: the first login asks for a new one."
        ),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Created by the demo loader; refused by the production profile."),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            # Seeing an ID number or phone in full; every use writes an audit record.
            ("reveal_personal_data", _("Can reveal personal data in full")),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class DepartmentKind(models.TextChoices):
    POLICE = "police", _("Police station")
    URBAN_MANAGEMENT = "urban_management", _("Urban management")
    MARKET_SUPERVISION = "market_supervision", _("Market supervision")
    ENVIRONMENT = "environment", _("Ecology and environment")
    HOUSING = "housing", _("Housing and construction")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    EMERGENCY = "emergency", _("Emergency management")
    UTILITIES = "utilities", _("Water, power, gas and heating")
    TRANSPORT = "transport", _("Transport")
    OTHER = "other", _("Other")


class DepartmentQuerySet(ScopedQuerySet):
    scope_area_field = "area"
    scope_department_field = "id"


class Department(models.Model):
    """A functional department (职能部门) that cases are dispatched to and that a street summons."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=DepartmentKind.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("serves area"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    active = models.BooleanField(_("active"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["area__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="department_unique_name_in_area")
        ]

    def __str__(self) -> str:
        return self.name


class RoleAssignmentQuerySet(ScopedQuerySet):
    scope_area_field = "area"
    scope_department_field = "department"


class RoleAssignment(models.Model):
    """A user holding a role at a node of the area tree (or in a department)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="assignments",
        null=True,
        blank=True,
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="assignments",
        null=True,
        blank=True,
    )
    worker_kind = models.CharField(
        _("grid worker kind"), max_length=16, choices=GridWorkerKind.choices, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user_id", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "area", "department"], name="role_assignment_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(area__isnull=False) | models.Q(department__isnull=False),
                name="role_assignment_has_place",
            ),
        ]

    def __str__(self) -> str:
        place = self.department or self.area
        return f"{self.user} · {self.get_role_display()} · {place}"


class StoredFileQuerySet(ScopedQuerySet):
    scope_area_field = "area"
    scope_owner_field = "uploaded_by"

    @staticmethod
    def scope_q(scope: Any) -> models.Q | None:
        # A department summoned to a case sees the case (CaseQuerySet.scope_q), so also its
        # photos: files are filed under the case's area, which the department does not hold.
        if not scope.department_ids:
            return None
        from django.apps import apps

        attachments = apps.get_model("cases", "CaseAttachment").objects
        summonses = apps.get_model("cases", "CaseSummons").objects
        cases = summonses.filter(department_id__in=scope.department_ids).values("case_id")
        return models.Q(
            pk__in=models.Subquery(attachments.filter(case_id__in=cases).values("file_id"))
        )


def _stored_file_path(instance: StoredFile, filename: str) -> str:
    # The stored name never carries the uploader's file name (it can hold personal data).
    return f"files/{timezone.now():%Y/%m}/{instance.id.hex}"


class StoredFile(models.Model):
    """An uploaded photo, scan or export. Never on a public path: downloads go through a scoped view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="files",
        null=True,
        blank=True,
    )
    file = models.FileField(_("file"), upload_to=_stored_file_path)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StoredFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
