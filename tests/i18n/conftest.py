"""What the language tests share: the committed catalogues, compiled."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def compiled() -> None:
    """The committed catalogues compiled beside them, as `make install` does (git-ignored)."""
    for language, _ in settings.LANGUAGES:
        if language == "en":
            continue
        po = ROOT / "locale" / translation.to_locale(language) / "LC_MESSAGES" / "django.po"
        subprocess.run(
            ["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True
        )
    # Django keeps the catalogues it has read: let it read the fresh ones.
    translation.trans_real._translations.clear()
