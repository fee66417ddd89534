"""The standard wording: every kind renders, in the site's language, with missing values shown."""

from __future__ import annotations

import datetime

import pytest

from gridgov.notifications.models import NotificationKind
from gridgov.notifications.texts import PHONE_TEXTS, render, render_phone_text

SHANGHAI_5PM = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize("kind", NotificationKind.values)
def test_every_kind_renders(kind):
    title, body = render(kind, case="C-7", deadline=SHANGHAI_5PM, title="T", message="M")
    assert title and "%(" not in title and "%(" not in body


def test_deadlines_are_shown_in_shanghai_time_and_missing_values_as_a_dash():
    title, body = render(NotificationKind.OVERDUE, case="C-7", deadline=SHANGHAI_5PM)
    assert title == "Case C-7 is overdue"
    assert body == "The deadline of case C-7 passed at 2026-01-15 17:30."
    _title, body = render(NotificationKind.RETURNED, case="C-7", actor="城管科")
    assert body == "城管科 returned case C-7: —"


def test_extension_decision_is_part_of_the_sentence():
    assert render(NotificationKind.EXTENSION_DECIDED, case="C-7", approved=True).title == (
        "Extension of case C-7 approved"
    )
    assert render(NotificationKind.EXTENSION_DECIDED, case="C-7", approved=False).title == (
        "Extension of case C-7 refused"
    )


def test_renders_in_the_recipients_language(settings, monkeypatch):
    class Reader:
        language = "zh-hans"

    # Until the catalogue has these entries Chinese falls back to the English msgid; what is
    # checked is that the recipient's language is active while rendering, not the site's.
    from django.utils import translation

    import gridgov.notifications.texts as texts

    seen = []

    def spy(message):
        seen.append(translation.get_language())
        return translation.gettext(message)

    monkeypatch.setattr(texts, "_", spy)
    render(NotificationKind.OVERDUE, recipient=Reader(), case="C-7")
    assert seen == ["zh-hans", "zh-hans"]
    render(NotificationKind.OVERDUE, case="C-7")
    assert seen[2:] == ["en", "en"]


@pytest.mark.parametrize("template", list(PHONE_TEXTS))
def test_every_phone_text_renders(template):
    text = render_phone_text(template, {"case": "C-7", "code": "123456", "minutes": 5})
    assert text and "%(" not in text
