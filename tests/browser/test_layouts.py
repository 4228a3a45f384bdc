"""Two layouts measured in Chromium: a busy number's results on a phone, the audit trail on a
laptop."""

import pytest
from playwright.sync_api import Browser

from lookup.models import AuditEntry
from tests import factories as f
from tests.browser.test_search_flow import sign_in
from tests.lookups import store

DESK = "+442079460018"  # +44 20 7946 0018: an office reception desk


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0


@pytest.fixture
def reception_desk(dynalite_table):
    people = [
        f.profile(f"desk-{n:03d}", name=f"Customer With A Rather Long Name Number {n}")
        for n in range(130)
    ]
    store(
        dynalite_table,
        profiles=people,
        links=[f.order_link(person.customer_id, DESK) for person in people],
    )


def test_at_390_px_the_first_result_and_the_pages_are_on_the_first_screen(
    browser: Browser, live_server, browser_db, agent, reception_desk
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, agent.username)
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Phone number").fill("020 7946 0018")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("networkidle")

    first = page.locator("table.results tbody tr").first.bounding_box()
    assert first["y"] + 40 < 844, first  # its name is on the first screen
    pages = page.get_by_role("navigation", name="Result pages, above the list")
    nav = pages.bounding_box()
    assert nav["y"] + nav["height"] < first["y"]  # above the list, and so on the first screen
    pages.get_by_role("link", name="Next →").click()
    page.wait_for_load_state("networkidle")
    assert "showing 26–50" in page.locator("p.summary").inner_text()
    context.close()


def test_at_1366_px_the_audit_trail_shows_the_reason_without_scrolling_sideways(
    browser: Browser, live_server, browser_db, admin_user, lead
):
    for count in range(5):
        AuditEntry.objects.create(
            actor="leo.lead",
            user=lead,
            action=AuditEntry.Action.UNLINK,
            phone=DESK,
            customer_id="3f2a9c1e-7b44-4aec-88ab-1241b7ead811",
            reason="Number reassigned to someone else: the customer called to say it is now "
            "her sister's phone",
            client_address="203.0.113.45",
            result_count=count,
        )
    AuditEntry.objects.create(
        actor="ada.admin",
        action=AuditEntry.Action.ROLES_CHANGED,
        subject="nina.newcomer",
        reason="added Support agent (roles now: Support agent)",
    )
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, admin_user.username)
    page.goto(f"{live_server.url}/admin/lookup/auditentry/")

    table = page.locator("#result_list")
    reason = table.locator("thead th.column-short_reason").bounding_box()
    scroller = page.locator("#changelist .results")
    widths = scroller.evaluate(
        "e => [e.scrollWidth, e.clientWidth, e.getBoundingClientRect().right]"
    )
    assert widths[0] <= widths[1], widths  # the list does not scroll sideways
    assert reason["x"] + reason["width"] <= widths[2] <= 1366
    cell = table.locator("tbody tr").first.locator("td.field-short_reason")
    assert cell.is_visible() and "Number reassigned" in table.inner_text()
    # The account an entry is about shares the customer's column.
    assert "nina.newcomer" in table.locator("td.field-customer").all_inner_texts()
    context.close()
