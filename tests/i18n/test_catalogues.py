"""The translation catalogues (locale/) are complete, valid, and what the pages speak (issue 22).

The catalogues are refreshed from the templates and the code exactly as `make messages` does
(bin/messages), on a copy of the app: a string marked since the last refresh comes out as an
empty entry (or a fuzzy guess from a similar one) and fails here until someone translates it.
"""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
# What makemessages reads: the app's code and templates (bin/messages ignores the rest).
APP = ["manage.py", "lookup", "supporttool", "templates", "locale"]
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]


def catalogue(root: Path, language: str) -> Path:
    return root / "locale" / translation.to_locale(language) / "LC_MESSAGES" / "django.po"


def msgattrib(po: Path, *only: str) -> str:
    """The entries of `po` that match `only` (gettext's own reader), as .po text."""
    return subprocess.run(
        ["msgattrib", "--no-obsolete", "--no-wrap", *only, str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("app")
    for name in APP:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, copy / name, ignore=shutil.ignore_patterns("*.mo", "__pycache__")
            )
        else:
            shutil.copy(source, copy / name)
    subprocess.run([str(ROOT / "bin" / "messages"), str(copy)], capture_output=True, check=True)
    return copy


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_a_catalogue(language):
    assert catalogue(ROOT, language).is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_every_marked_string_translated(refreshed, language):
    po = catalogue(refreshed, language)
    assert msgattrib(po, "--untranslated") == "", f"untranslated entries in {language}"
    assert msgattrib(po, "--only-fuzzy") == "", f"fuzzy entries in {language}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_catalogue_is_up_to_date(refreshed, language):
    """Nothing refreshed away: every entry the code and templates mark is in the committed file."""
    committed = msgattrib(catalogue(ROOT, language), "--no-location")
    fresh = msgattrib(catalogue(refreshed, language), "--no-location")
    assert fresh.split("\n\n")[1:] == committed.split("\n\n")[1:]


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_speak_the_catalogue(compiled, language):
    with catalogue(ROOT, language).with_suffix(".mo").open("rb") as file:
        words = gettext.GNUTranslations(file)
    with translation.override(language):
        page = render_to_string("404.html")
    heading = words.gettext("Not found")
    assert heading != "Not found"
    assert f"<h1>{heading}</h1>" in page
    assert words.gettext("Search by phone") in page
    assert "Not found" not in page
