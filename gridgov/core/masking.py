"""Masked display of personal identifiers: what every page, export and API shows by default."""

from __future__ import annotations

MASK = "*"


def mask_id_number(value: str | None) -> str:
    """``110101199001011234`` → ``110101********1234`` (region code and last four kept)."""
    if not value:
        return ""
    if len(value) <= 10:
        return MASK * len(value)
    return value[:6] + MASK * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``; shorter numbers keep at most their last four."""
    if not value:
        return ""
    if len(value) == 11:
        return value[:3] + MASK * 4 + value[-4:]
    keep = min(4, max(len(value) - 4, 0))
    return MASK * (len(value) - keep) + value[-keep:] if keep else MASK * len(value)


def mask_name(value: str | None) -> str:
    """``张三丰`` → ``张*丰``, ``李四`` → ``李*``: used where a public page names a person."""
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + MASK
    return value[0] + MASK * (len(value) - 2) + value[-1]


def mask_text(value: str | None) -> str:
    if not value:
        return ""
    return MASK * len(value)


MASKERS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "name": mask_name,
    "text": mask_text,
}


def mask(value: str | None, kind: str) -> str:
    return MASKERS[kind](value)
