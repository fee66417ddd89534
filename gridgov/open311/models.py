"""Open311 GeoReport v2: the keys of client systems, the extra attributes a service asks for, and
what a client sent with each request and update (so that a retry finds it again).

The case itself lives in ``gridgov.cases``; these rows only remember the Open311 side of it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.fields import EncryptedField


class ApiKey(models.Model):
    """The key of one client system (a FixMyStreet, a city app). Only its hash is stored; the key
    itself is printed once by ``gridgov open311 key create``."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    prefix = models.CharField(
        _("prefix"),
        max_length=16,
        unique=True,
        help_text=_("The first characters of the key, to recognise it without storing it."),
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="open311_keys",
        help_text=_("The account the client's requests are entered as."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Datatype(models.TextChoices):
    """The datatypes of the GeoReport v2 service definition."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One value from a list")
    MULTI = "multivaluelist", _("Several values from a list")


LIST_DATATYPES = frozenset({Datatype.SINGLE, Datatype.MULTI})


class ServiceAttribute(models.Model):
    """An extra question a case subcategory asks an Open311 client (the service definition)."""

    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="open311_attributes",
        limit_choices_to={"parent__isnull": False},
    )
    code = models.SlugField(_("code"), max_length=64)
    datatype = models.CharField(_("datatype"), max_length=16, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(
        _("asks for input"),
        default=True,
        help_text=_("Off for an attribute that only shows information to the user."),
    )
    description = models.CharField(_("question"), max_length=500)
    datatype_description = models.CharField(_("hint"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    values = models.JSONField(
        _("values"),
        default=list,
        blank=True,
        help_text=_(
            'For list datatypes: [{"key": "small", "name": "小"}, {"key": "large", "name": "大"}]'
        ),
    )

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["category__code", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="open311_attribute_code_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.code}"

    def clean(self) -> None:
        if self.category_id and self.category.parent_id is None:
            raise ValidationError({"category": _("Choose a subcategory.")})
        if self.datatype in LIST_DATATYPES:
            values = self.values
            keys = (
                [item.get("key") for item in values if isinstance(item, dict)]
                if isinstance(values, list)
                else []
            )
            valid = (
                isinstance(values, list)
                and values
                and len(keys) == len(values)
                and all(
                    isinstance(item.get("key"), str)
                    and item["key"]
                    and isinstance(item.get("name"), str)
                    and item["name"]
                    for item in values
                )
                and len(set(keys)) == len(keys)
            )
            if not valid:
                raise ValidationError(
                    {
                        "values": _(
                            "A list datatype needs a list of values, each with a distinct key "
                            "and a name."
                        )
                    }
                )
        elif self.values:
            raise ValidationError({"values": _("Only list datatypes have values.")})

    def value_keys(self) -> set[str]:
        return {item["key"] for item in self.values or []}


class ClientRequest(models.Model):
    """What an Open311 client sent with a service request that became a case."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="open311"
    )
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("API key"), on_delete=models.PROTECT, related_name="requests"
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    media_url = models.URLField(_("client's media URL"), max_length=500, blank=True)
    # The reporter's e-mail, for the callback: encrypted, never returned through Open311.
    email = EncryptedField(_("e-mail"), kind="text")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.api_key.name} → {self.case_id}"


class ClientUpdate(models.Model):
    """An update a client pushed (FixMyStreet's comment): its own id, so that a retry is one."""

    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("API key"), on_delete=models.PROTECT, related_name="updates"
    )
    client_update_id = models.CharField(_("client's update id"), max_length=64, blank=True)
    event = models.ForeignKey(
        "cases.CaseEvent",
        verbose_name=_("timeline entry"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 update")
        verbose_name_plural = _("Open311 updates")
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "client_update_id"],
                condition=~Q(client_update_id=""),
                name="open311_update_once_per_client_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.api_key.name} {self.client_update_id}"
