"""A shared account's customer page in Chromium: 2,000 numbers, one page of them, paged with the
keyboard, at a desk's width and a phone's, with nothing serious for axe-core."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests import factories as f
from tests.browser.test_desk import axe_serious
from tests.browser.test_search_flow import sign_in
from tests.lookups import store

LINKS = 2000
# Set to a folder to keep the screenshots this test takes (they are looked at, not compared).
SHOTS = os.environ.get("CUSTOMER_PAGES_SCREENSHOTS", "")


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0
    settings.CUSTOMER_NUMBERS_PAGE_SIZE = 25


@pytest.fixture
def operator(dynalite_table):
    customer = f.profile(name="Greenline Call Centre", email="orders@greenline.example")
    store(
        dynalite_table,
        profiles=[customer],
        links=[
            f.order_link(
                customer.customer_id,
                f"+4478{nth:08d}",
                last_seen=f.NOW - timedelta(hours=nth),
                order_count=1 + nth % 7,
                recent_orders=f.recent(f"ord_{nth:05d}", last_seen=f.NOW - timedelta(hours=nth)),
            )
            for nth in range(LINKS)
        ],
    )
    return customer


@pytest.mark.parametrize("width", [1366, 390])
def test_a_shared_accounts_page_is_one_page_of_numbers_paged_by_keyboard(
    browser: Browser, live_server, browser_db, lead, operator, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, lead.username)
    searched = "+447800001234"  # the caller's number, far down the list by date
    page.goto(f"{live_server.url}/customers/{operator.customer_id}/?from=%2B447800001234")

    rows = page.locator("table.links tbody tr")
    expect(rows).to_have_count(25)
    expect(rows.first).to_have_attribute("data-phone", searched)
    expect(page.get_by_text("probably a shared account")).to_be_visible()
    expect(page.get_by_text("2,000 numbers, showing 1–25.")).to_be_visible()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    assert axe_serious(page) == []
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/customer-2000-{width}.png", full_page=width > 700)
        page.locator("nav.pagination").last.scroll_into_view_if_needed()
        page.screenshot(path=f"{SHOTS}/customer-2000-end-{width}.png")

    # The controls above the list, by keyboard: the next page keeps the way back to the search.
    page.get_by_role("navigation", name="Pages of numbers", exact=True).get_by_role(
        "link", name="Next →"
    ).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("2,000 numbers, showing 26–50.")).to_be_visible()
    # The list in view, not the profile above it.
    expect(page).to_have_url(
        f"{live_server.url}/customers/{operator.customer_id}/"
        "?from=%2B447800001234&numbers_page=2#numbers-heading"
    )
    expect(rows).to_have_count(25)
    expect(rows.first).to_have_attribute("data-phone", "+447800000024")
    page.get_by_role("navigation", name="Pages of numbers, end of the list").get_by_role(
        "link", name="Last »"
    ).click()
    expect(page.get_by_text("Page 80 of 80").first).to_be_visible()
    expect(rows.last).to_have_attribute("data-phone", f"+4478{LINKS - 1:08d}")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/customer-2000-last-{width}.png")
    context.close()
