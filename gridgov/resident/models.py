"""What the resident pages keep of their own: sign-in codes and the "is it fixed?" questions.

Cases, followers and attachments are the case loop's (gridgov.cases); this app only adds the
resident's way in and the question asked after closing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.fields import BlindIndexField, EncryptedField


class SignInCode(models.Model):
    """A one-time sign-in code sent to a phone: only its keyed hash is stored; it expires, allows
    a few tries, and is used once. The rows are also the rate limiter's record of requests."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    phone = EncryptedField(_("phone"), kind="phone", blind_index="phone_index")
    phone_index = BlindIndexField()
    # Keyed HMAC of the requesting address: counts requests per address without storing it.
    address_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")

    def __str__(self) -> str:
        return f"sign-in code {self.uid}"


class FixedCheck(models.Model):
    """The question "is it fixed?" asked of a case's reporter some days after it closed, and the
    answer. One per closing: a case reopened and closed again is asked again."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="fixed_checks"
    )
    closed_at = models.DateTimeField(_("closing asked about"))
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    fixed = models.BooleanField(_("fixed"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("“is it fixed?” question")
        verbose_name_plural = _("“is it fixed?” questions")
        constraints = [
            models.UniqueConstraint(fields=["case", "closed_at"], name="fixed_check_once_per_close")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} fixed? {self.fixed}"
