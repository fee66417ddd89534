"""Normalising and checking the identifiers we encrypt: ID card numbers and phone numbers."""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: 17 digits weighted mod 11, check character from this table.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
_PHONE = re.compile(r"(1[3-9][0-9]{9}|0[0-9]{2,3}[0-9]{7,8})")


def id_number_check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    # NFKC first: Chinese input methods often type full-width digits and letters (１１０１…Ｘ).
    return unicodedata.normalize("NFKC", value).strip().upper().replace(" ", "")


def validate_id_number(value: str) -> str:
    """Return the normalised number or raise ValidationError with the reason in the user's language."""
    number = normalise_id_number(value)
    if not _ID_NUMBER.fullmatch(number):
        raise ValidationError(_("An ID card number has 17 digits and a check character."))
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as error:
        raise ValidationError(
            _("The birth date inside the ID card number is not a date.")
        ) from error
    if id_number_check_character(number[:17]) != number[17]:
        raise ValidationError(_("The ID card number's check character is wrong."))
    return number


def birth_date_from_id_number(number: str) -> datetime.date:
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex_from_id_number(number: str) -> str:
    """``male`` or ``female``: the 17th digit is odd for men (GB 11643)."""
    return "male" if int(number[16]) % 2 else "female"


def normalise_phone(value: str) -> str:
    """One spelling per number, so that its blind index matches however it was typed:
    full-width digits, spaces, brackets, dashes and a +86 / 0086 prefix are removed."""
    digits = re.sub(r"[\s()\-]", "", unicodedata.normalize("NFKC", value).strip())
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_phone(value: str) -> str:
    number = normalise_phone(value)
    if not _PHONE.fullmatch(number):
        raise ValidationError(_("Enter an 11-digit mobile number or a landline with area code."))
    return number
