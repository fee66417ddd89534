"""The registry of people and houses (人房): residents, houses, courtyards, landlords, tenancies,
and the safety inspections of courtyards.

Every row hangs off an Area (its grid, micro-grid or building) and is scoped through it. ID numbers
and phone numbers are EncryptedFields with blind indexes; nothing identifying is stored in clear.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.fields import BlindIndexField, EncryptedField
from gridgov.core.scoping import ScopedQuerySet


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("Registered (household register)")
    FLOATING = "floating", _("Floating population")
    FOREIGN = "foreign", _("Foreign national")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class DocumentType(models.TextChoices):
    ID_CARD = "id_card", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO_TAIWAN = "hmt_permit", _("Hong Kong, Macao or Taiwan permit")
    OTHER = "other", _("Other document")


class ResidentTagKind(models.TextChoices):
    """Special groups (重点人群) that services and care visits are aimed at."""

    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    EMPTY_NEST = "empty_nest", _("Empty-nest elderly")
    VERY_OLD = "very_old", _("Aged 80 or more")
    DISABLED = "disabled", _("Disabled")
    VETERAN = "veteran", _("Veteran")
    LOW_INCOME = "low_income", _("Low income (subsistence allowance)")
    PARTY_MEMBER = "party_member", _("Party member")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness")
    KEY_CARE = "key_care", _("Needs close care")


class HouseUse(models.TextChoices):
    OWNER_OCCUPIED = "owner_occupied", _("Owner-occupied")
    RENTED = "rented", _("Rented")
    VACANT = "vacant", _("Vacant")
    COMMERCIAL = "commercial", _("Commercial")


class RiskColor(models.TextChoices):
    """四色管控, most to least severe."""

    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    BLUE = "blue", _("Blue")


class AreaScopedQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class House(models.Model):
    """A dwelling or premises (户 / 房屋), in a building, unit or grid."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="houses"
    )
    address = models.CharField(_("address"), max_length=200)
    building = models.CharField(_("building"), max_length=32, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    room = models.CharField(_("room"), max_length=16, blank=True)
    use = models.CharField(_("use"), max_length=16, choices=HouseUse.choices)
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    owner = models.ForeignKey(
        "Resident",
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_houses",
    )
    owner_name = models.CharField(_("owner name"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = ["address"]
        constraints = [
            models.UniqueConstraint(fields=["area", "address"], name="house_unique_address_in_area")
        ]

    def __str__(self) -> str:
        return self.address


class Resident(models.Model):
    """A person in the population register (居民 / 人口)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="residents"
    )
    house = models.ForeignKey(
        House,
        verbose_name=_("house"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
    )
    name = models.CharField(_("name"), max_length=64, db_index=True)
    document_type = models.CharField(
        _("document type"),
        max_length=16,
        choices=DocumentType.choices,
        default=DocumentType.ID_CARD,
    )
    id_number = EncryptedField(_("ID number"), kind="id_number", blind_index="id_number_index")
    id_number_index = BlindIndexField()
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = EncryptedField(_("phone"), kind="phone", blind_index="phone_index")
    phone_index = BlindIndexField()
    residence_type = models.CharField(
        _("residence type"),
        max_length=16,
        choices=ResidenceType.choices,
        default=ResidenceType.REGISTERED,
    )
    household_address = models.CharField(
        _("household register address"), max_length=200, blank=True
    )
    address = models.CharField(_("current address"), max_length=200, blank=True, db_index=True)
    guardian = models.ForeignKey(
        "self",
        verbose_name=_("guardian"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wards",
        help_text=_("Required for children under 14 (PIPL §31)."),
    )
    moved_out_at = models.DateField(_("moved out on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name", "id"]
        constraints = [
            # One person, one record: the blind index of the ID number is unique when present.
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~models.Q(id_number_index=""),
                name="resident_unique_id_number",
            )
        ]
        indexes = [models.Index(fields=["area", "residence_type"])]

    def __str__(self) -> str:
        return self.name


class ResidentScopedQuerySet(ScopedQuerySet):
    scope_area_field = "resident__area"


class ResidentTag(models.Model):
    """A resident belonging to a special group; one row per (resident, tag)."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="tags"
    )
    tag = models.CharField(_("tag"), max_length=32, choices=ResidentTagKind.choices, db_index=True)

    objects = ResidentScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident tag")
        verbose_name_plural = _("resident tags")
        constraints = [
            models.UniqueConstraint(fields=["resident", "tag"], name="resident_tag_unique")
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {self.get_tag_display()}"


class EmergencyContact(models.Model):
    """Who to call for a resident (the SOS button notifies them)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="emergency_contacts",
    )
    name = models.CharField(_("name"), max_length=64)
    relation = models.CharField(_("relation"), max_length=32, blank=True)
    phone = EncryptedField(_("phone"), kind="phone", blind_index="phone_index")
    phone_index = BlindIndexField()

    objects = ResidentScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"


class Landlord(models.Model):
    """The owner who lets rooms in a courtyard or a house (房东)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="landlords"
    )
    name = models.CharField(_("name"), max_length=64)
    id_number = EncryptedField(_("ID number"), kind="id_number", blind_index="id_number_index")
    id_number_index = BlindIndexField()
    phone = EncryptedField(_("phone"), kind="phone", blind_index="phone_index")
    phone_index = BlindIndexField()
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="landlord_roles",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("landlord")
        verbose_name_plural = _("landlords")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~models.Q(id_number_index=""),
                name="landlord_unique_id_number",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Courtyard(models.Model):
    """A walled compound of rental rooms (院落), run by a landlord; inspected and risk-coloured."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="courtyards"
    )
    code = models.CharField(_("code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    lon = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    landlord = models.ForeignKey(
        Landlord,
        verbose_name=_("landlord"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courtyards",
    )
    rooms = models.PositiveIntegerField(_("rooms"), default=0)
    tenant_count = models.PositiveIntegerField(
        _("tenants"), default=0, help_text=_("Active rental registrations, kept by the services.")
    )
    star_rating = models.PositiveSmallIntegerField(
        _("star rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    risk_color = models.CharField(
        _("risk colour (derived)"), max_length=8, choices=RiskColor.choices, default=RiskColor.BLUE
    )
    risk_override = models.CharField(
        _("risk colour (override)"), max_length=8, choices=RiskColor.choices, blank=True
    )
    risk_override_reason = models.CharField(
        _("reason for the override"), max_length=200, blank=True
    )
    last_inspected_on = models.DateField(_("last inspected on"), null=True, blank=True)
    next_inspection_due = models.DateField(
        _("next inspection due"), null=True, blank=True, db_index=True
    )
    contact_channel = models.CharField(
        _("public contact channel"),
        max_length=100,
        blank=True,
        help_text=_("Shown on the public page, e.g. the community's service hotline."),
    )
    public_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("courtyard")
        verbose_name_plural = _("courtyards")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def effective_risk_color(self) -> str:
        return self.risk_override or self.risk_color


class RentalRegistrationQuerySet(ScopedQuerySet):
    scope_area_field = "area"

    def active_on(self, day: object) -> RentalRegistrationQuerySet:
        return self.filter(start_date__lte=day).filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=day)
        )


class RentalRegistration(models.Model):
    """A tenancy of a (usually floating) resident in a courtyard or a house (出租登记)."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        Resident, verbose_name=_("tenant"), on_delete=models.PROTECT, related_name="tenancies"
    )
    courtyard = models.ForeignKey(
        Courtyard,
        verbose_name=_("courtyard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tenancies",
    )
    house = models.ForeignKey(
        House,
        verbose_name=_("house"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tenancies",
    )
    room = models.CharField(_("room"), max_length=16, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RentalRegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("rental registration")
        verbose_name_plural = _("rental registrations")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(courtyard__isnull=False) | models.Q(house__isnull=False),
                name="rental_registration_has_place",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="rental_registration_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.courtyard or self.house}"


class InspectionQuerySet(ScopedQuerySet):
    scope_area_field = "courtyard__area"


class Inspection(models.Model):
    """One safety inspection of a courtyard against the hazard checklist."""

    courtyard = models.ForeignKey(
        Courtyard, verbose_name=_("courtyard"), on_delete=models.CASCADE, related_name="inspections"
    )
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    failed_count = models.PositiveSmallIntegerField(_("failed items"), default=0)
    severe_failed_count = models.PositiveSmallIntegerField(_("failed severe items"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]

    def __str__(self) -> str:
        return f"{self.courtyard} · {self.inspected_on}"


class InspectionItemQuerySet(ScopedQuerySet):
    scope_area_field = "inspection__courtyard__area"


class InspectionItem(models.Model):
    """The result of one checklist item; a failed one carries a rectification deadline."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="items"
    )
    item = models.CharField(_("item"), max_length=32)
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)

    objects = InspectionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="inspection_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {'✓' if self.passed else '✗'}"


from gridgov.registry.models_imports import ImportJob  # noqa: E402,F401
