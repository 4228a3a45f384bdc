"""The leads' review queue in Chromium at a desk's width and a phone's: the rows and their
evidence readable, the filter usable, nothing serious for axe-core."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from lookup.services.review import review_numbers_refresh
from tests import factories as f
from tests.browser.test_desk import axe_serious
from tests.browser.test_search_flow import sign_in
from tests.factories import NOW
from tests.lookups import store

DESK = "+442079460018"
# Set to a folder to keep the screenshots the flow takes (they are looked at, not compared).
SHOTS = os.environ.get("REVIEW_SCREENSHOTS", "")
REASSIGNED = "+447700900312"


def _shot(page, name: str, width: int) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0


@pytest.fixture
def queue(dynalite_table, browser_db):
    people = [f.profile(f"desk-{n:03d}", name=f"Reception Visitor {n}") for n in range(12)]
    before = f.profile("graham", name="Graham Pike")
    after = f.profile("priya", name="Priya Raman")
    links = [
        f.order_link(
            person.customer_id,
            DESK,
            first_seen=NOW - timedelta(days=1500 - 40 * n),
            last_seen=NOW - timedelta(days=900 - 40 * n),
        )
        for n, person in enumerate(people)
    ]
    links += [
        f.order_link(
            "graham",
            REASSIGNED,
            first_seen=NOW - timedelta(days=900),
            last_seen=NOW - timedelta(days=640),
            order_count=36,
        ),
        f.order_link(
            "priya",
            REASSIGNED,
            first_seen=NOW - timedelta(days=40),
            last_seen=NOW - timedelta(days=3),
            order_count=5,
        ),
    ]
    store(dynalite_table, profiles=[*people, before, after], links=links)
    review_numbers_refresh(phones=[DESK, REASSIGNED])


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_the_queue_shows_each_link_with_its_evidence(
    browser: Browser, live_server, lead, queue, width, height
):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, lead.username)
    page.get_by_role("link", name="Review queue").click()
    page.wait_for_load_state("networkidle")

    rows = page.locator("table.review tbody tr")
    assert rows.count() == 13
    first = rows.first.inner_text()
    assert "Graham Pike" in first and "Priya Raman" in first
    assert "this number is used by another customer" in first
    assert axe_serious(page) == []
    # Nothing wider than the window: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_label("Reason", exact=True).select_option("possibly_stale")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("table.review tbody tr").count() == 12
    assert "Graham Pike" not in page.locator("table.review").inner_text()
    context.close()


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_a_lead_clears_the_queue_in_one_bulk_unlink_and_undoes_it(
    browser: Browser, live_server, lead, queue, width, height
):
    """Ticked rows, then every row of a filter, each through the preview; the queue empties
    as the links are unlinked and fills again with the undo."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, lead.username)
    page.goto(f"{live_server.url}/review/")

    page.get_by_label("Select the link of Graham Pike to +44 7700 900312").check()
    page.get_by_label("Select the link of Reception Visitor 0 to +44 20 7946 0018").check()
    _shot(page, "review-queue", width)
    page.get_by_role("button", name="Unlink the selected links…").click()
    expect(page.get_by_role("heading", name="Unlink 2 links?")).to_be_visible()
    expect(page.locator("table.bulk-links tbody tr")).to_have_count(2)
    page.get_by_role("link", name="← Back").click()
    expect(page.locator("table.review tbody tr")).to_have_count(13)

    page.get_by_label("Reason", exact=True).select_option("possibly_stale")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("link", name="Unlink all 12 links matching this filter…").click()
    expect(page.get_by_role("heading", name="Unlink 12 links?")).to_be_visible()
    _shot(page, "review-bulk-preview", width)
    assert axe_serious(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_label("Number reassigned to someone else").check()
    page.get_by_role("button", name="Unlink 12 links").click()
    expect(page.get_by_role("status")).to_contain_text("12 links unlinked")
    assert axe_serious(page) == []

    page.goto(f"{live_server.url}/review/")
    expect(page.locator("table.review tbody tr")).to_have_count(1)  # Graham's passed number

    page.go_back()
    page.get_by_role("button", name="Undo this batch").click()
    expect(page.get_by_role("status")).to_contain_text("12 links restored")
    page.goto(f"{live_server.url}/review/")
    expect(page.locator("table.review tbody tr")).to_have_count(13)
    assert axe_serious(page) == []
    context.close()
