"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

The app runs on dynalite here, the real local DynamoDB, as an agent would use it.
"""

import shutil

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail(
            "Debian's chromium is not on PATH: `apt-get install chromium` (make test does it)."
        )
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "headless": True,
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API keeps an event loop running in the main thread from the first
    # browser test to the end of the session; the ORM calls made meanwhile are still
    # synchronous and safe. Browser tests run last (see tests/conftest.py), so only they
    # run with this set.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture
def browser_db(transactional_db):
    """The live server's thread only sees committed rows."""
