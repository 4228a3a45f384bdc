"""The committed catalogues compiled beside them (git-ignored), as `make install` does, so a test
can take the words a page should show from them instead of writing them out."""

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

# The single sign-on tests' provider, for the language its `locale` claim sets.
from tests.sso.conftest import identity_provider, sso  # noqa: F401

ROOT = Path(settings.BASE_DIR)


def _compile() -> None:
    for po in sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po")):
        subprocess.run(
            ["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True
        )
    # Django keeps the catalogues it has read: let it read the fresh ones.
    translation.trans_real._translations.clear()


@pytest.fixture(scope="session")
def catalogues() -> None:
    _compile()


@pytest.fixture(scope="module")
def compiled() -> None:
    """Compiled again for each module that asks: a module may read them fresh."""
    _compile()


@pytest.fixture
def word(catalogues) -> Callable[..., str]:
    """`word("de", "Sign out")`: the catalogue's translation, checked to be one."""

    def translated(language: str, text: str, *, context: str = "") -> str:
        with translation.override(language):
            found = translation.pgettext(context, text) if context else translation.gettext(text)
        assert found != text, f"{text!r} has no {language} translation"
        return found

    return translated
