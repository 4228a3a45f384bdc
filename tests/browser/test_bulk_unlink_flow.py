"""A lead's bulk unlink in Chromium, at a desk's width and a phone's: from a shared number's
results to the preview, the confirm, the batch page and its undo, axe-core clean throughout."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import factories as f
from tests.browser.test_desk import axe_serious, overflowing
from tests.browser.test_search_flow import sign_in
from tests.lookups import store

DESK = "+442079460018"
OLD = f.NOW - timedelta(days=700)
# Set to a folder to keep the screenshots this test takes (they are looked at, not compared).
SHOTS = os.environ.get("BULK_UNLINK_SCREENSHOTS", "")


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0


@pytest.fixture
def reception(dynalite_table):
    """A reception desk: four customers ordered to it two years ago, one last week, and one
    has it on her profile."""
    old = [f.profile(name=name) for name in ("Ana Lima", "Bram de Vries", "Chen Wei", "Dora Ek")]
    recent = f.profile(name="Eli Cohen")
    store(
        dynalite_table,
        profiles=[*old, recent],
        links=[
            *(
                f.order_link(
                    p.customer_id,
                    DESK,
                    first_seen=OLD - timedelta(days=60),
                    last_seen=OLD,
                    recent_orders=f.recent("ord_old", last_seen=OLD),
                )
                for p in old
            ),
            f.order_link(recent.customer_id, DESK),
            f.profile_link(old[3].customer_id, DESK),
        ],
    )
    return old, recent


def _fits(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], overflowing(page)
    assert axe_serious(page) == []


def _shot(page: Page, name: str, width: int) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_a_lead_unlinks_a_desks_old_links_in_one_batch_and_undoes_it(
    browser: Browser, live_server, browser_db, lead, reception, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, lead.username)
    page.goto(f"{live_server.url}/?phone=%2B442079460018&country=GB")
    expect(page.locator("table.results tbody tr")).to_have_count(5)
    _fits(page)
    _shot(page, "bulk-results-form", width)

    page.get_by_text("Unlink old order links to this number…").click()
    page.get_by_label("Unlink every order link to this number last seen before").fill(
        (f.NOW - timedelta(days=365)).date().isoformat()
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Unlink 4 links?")).to_be_visible()
    expect(page.locator("table.bulk-links tbody tr")).to_have_count(4)
    expect(page.get_by_role("heading", name="1 link will be left alone")).to_be_visible()
    _fits(page)
    _shot(page, "bulk-preview", width)

    page.get_by_label("Number reassigned to someone else").check()
    page.get_by_label("Details").fill("Reception desk moved to a new tenant")
    page.get_by_role("button", name="Unlink 4 links").click()
    expect(page.get_by_role("status")).to_contain_text("4 links unlinked.")
    expect(page.get_by_role("status")).to_contain_text("1 customer is still found")
    expect(page.get_by_role("heading", name="4 links unlinked")).to_be_visible()
    _fits(page)
    _shot(page, "bulk-batch", width)

    page.goto(f"{live_server.url}/?phone=%2B442079460018&country=GB")
    expect(page.locator("table.results tbody tr")).to_have_count(2)

    page.go_back()
    page.get_by_role("button", name="Undo this batch").click()
    expect(page.get_by_role("status")).to_contain_text("4 links restored")
    expect(page.get_by_role("button", name="Undo this batch")).to_have_count(0)
    _fits(page)
    _shot(page, "bulk-undone", width)
    page.goto(f"{live_server.url}/?phone=%2B442079460018&country=GB")
    expect(page.locator("table.results tbody tr")).to_have_count(5)
    context.close()
