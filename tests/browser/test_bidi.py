"""A right-to-left override in stored text, in Chromium: isolated as rendered, copied clean."""

import pytest
from playwright.sync_api import Browser, expect

from tests import factories as f
from tests.browser.test_search_flow import sign_in
from tests.lookups import store

DESK = "+442079460018"
IDENT = "cust-\u202eyub"  # reads "cust-buy" if the override is honoured
NAME = "\u202eAli Hassan"  # an override never closed
EMAIL = "\u2067ali@example.com"  # an isolate never closed


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0


@pytest.fixture
def bidi_world(dynalite_table):
    ali = f.profile(IDENT, name=NAME, email=EMAIL, country="GB")
    zoe = f.profile(name="Zoe Ortiz", email="zoe@example.com", country="GB")
    store(
        dynalite_table,
        profiles=[ali, zoe],
        links=[
            f.order_link(ali.customer_id, DESK, recent_orders=f.recent("ord_\u202e42")),
            f.order_link(zoe.customer_id, DESK),
        ],
    )


def _isolation(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).unicodeBidi")


def test_a_bidi_override_is_isolated_and_never_copied(
    browser: Browser, live_server, browser_db, agent, bidi_world
):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, agent.username)

    page.goto(f"{live_server.url}/?phone=%2B442079460018&country=GB")
    row = page.locator("table.results tbody tr", has_text="Ali Hassan")
    assert _isolation(row.locator("a.customer-name")) == "isolate"
    assert _isolation(row.locator(".email")) == "isolate"
    # The id is shown, and copied, as it reads: no override turns it into another.
    expect(row.locator("code.customer-id")).to_have_text("cust-yub")
    row.get_by_role("button", name="Copy customer id").click()
    expect(page.get_by_role("status")).to_have_text("Copied cust-yub")
    assert page.evaluate("navigator.clipboard.readText()") == "cust-yub"

    row.locator("a.customer-name").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(NAME)
    assert _isolation(heading.locator("bdi")) == "isolate"
    page.get_by_role("button", name="Copy the customer id").click()
    assert page.evaluate("navigator.clipboard.readText()") == "cust-yub"
    page.get_by_role("button", name="Copy the email").click()
    assert page.evaluate("navigator.clipboard.readText()") == "ali@example.com"
    page.get_by_role("button", name="Copy order id ord_42").first.click()
    assert page.evaluate("navigator.clipboard.readText()") == "ord_42"
    context.close()


def test_desk_js_drops_controls_from_any_copy_value(
    browser: Browser, live_server, browser_db, agent, bidi_world
):
    """Even a copy value the server did not clean copies without controls."""
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, agent.username)
    page.goto(f"{live_server.url}/?phone=%2B442079460018&country=GB")
    button = page.locator("table.results tbody tr", has_text="Ali Hassan").get_by_role(
        "button", name="Copy customer id"
    )
    button.evaluate("b => b.setAttribute('data-copy', 'cust-\\u202eyub\\u200b\\ufeff')")
    button.click()
    assert page.evaluate("navigator.clipboard.readText()") == "cust-yub"
    context.close()
