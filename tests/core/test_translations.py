"""The Simplified Chinese catalogues (the project's and each app's own) are complete, keep every
placeholder, and are the ones Django uses."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "gridgov" / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LOCALE / "django.po"
MO_PATH = LOCALE / "django.mo"
CATALOGUES = sorted(
    Path(__file__).resolve().parents[2].glob("gridgov/**/locale/zh_Hans/LC_MESSAGES/*.po")
)

# %(name)s / %(n)d / %(share).1f / bare %s and %d. A literal "%%" is removed before matching.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%\(\w+\)\.\d+f|%[sd]")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.fixture(scope="module", params=CATALOGUES, ids=lambda path: str(path).split("gridgov/")[-1])
def catalogue(request) -> polib.POFile:
    return polib.pofile(str(request.param))


def label(entry: polib.POEntry) -> str:
    where = entry.occurrences[0] if entry.occurrences else ("?", "?")
    return f"{entry.msgid!r} ({where[0]}:{where[1]})"


def test_the_project_catalogue_is_not_empty():
    assert len(polib.pofile(str(PO_PATH))) > 100


def test_no_entry_is_untranslated(catalogue):
    missing = [label(entry) for entry in catalogue.untranslated_entries()]
    assert not missing, f"{len(missing)} untranslated: {missing[:20]}"


def test_every_plural_entry_has_its_single_chinese_form(catalogue):
    bad = [
        label(entry)
        for entry in catalogue
        if entry.msgid_plural and not (entry.msgstr_plural.get(0) or "").strip()
    ]
    assert not bad


def test_no_entry_is_fuzzy(catalogue):
    assert not catalogue.metadata_is_fuzzy, "the header is still marked fuzzy"
    fuzzy = [label(entry) for entry in catalogue.fuzzy_entries()]
    assert not fuzzy


def test_the_header_declares_chinese_with_one_plural_form(catalogue):
    assert catalogue.metadata["Plural-Forms"].strip() == "nplurals=1; plural=0;"
    assert catalogue.metadata["Language"] == "zh_Hans"
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]


def test_every_placeholder_is_kept(catalogue):
    wrong = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for source in sources:
            for target in targets:
                if placeholders(source) != placeholders(target):
                    wrong.append(f"{label(entry)}: {placeholders(target)}")
                if source.count("%%") != target.count("%%"):
                    wrong.append(f"{label(entry)}: '%%' count differs")
    assert not wrong, "\n".join(wrong)


def test_the_placeholder_pattern_sees_every_kind():
    text = "%(name)s %(n)d %(share).1f%% %s %d"
    assert placeholders(text) == {"%(name)s", "%(n)d", "%(share).1f", "%s", "%d"}


def test_the_compiled_catalogue_is_used():
    assert MO_PATH.exists(), "run .venv/bin/python scripts/compile_translations.py (make setup)"
    with translation.override("zh-hans"):
        assert translation.gettext("Sign in") == "登录"
        assert translation.gettext("Sign out") == "退出登录"
        assert translation.pgettext("compass point", "N") == "北纬"
        many = translation.ngettext("%(counter)s area", "%(counter)s areas", 5)
        assert many % {"counter": 5} == "共 5 个区域"
    with translation.override("en"):
        assert translation.gettext("Sign in") == "Sign in"


@pytest.mark.django_db
def test_the_login_page_is_in_chinese():
    page = Client().get("/accounts/login/").content.decode()
    assert "登录" in page
    assert "网格治理" in page
