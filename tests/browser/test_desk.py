"""The agent's desk in Chromium: accessibility (axe-core), the keyboard alone, a phone-width
screen, and the JavaScript enhancements with and without JavaScript."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from lookup.models import AuditEntry
from tests import factories as f
from tests.browser.test_search_flow import sign_in
from tests.lookups import store

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESK = "+442079460018"  # +44 20 7946 0018
FAMILY = "+5511912345678"  # +55 11 91234-5678
NARROW = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0


@pytest.fixture
def desk_world(dynalite_table):
    """A busy desk number, a family phone on profile and orders, a lead's unlinked link, and
    the long values other services write (ids, emails, order ids)."""
    long_id = "eu-west-1:" + "7c1e42ab" * 8
    people = [
        f.profile(
            f"desk-{n:03d}",
            name=f"Customer With A Rather Long Name Number {n}",
            email=f"a.very.long.email.address.number.{n}@subdomain.example-company.com",
        )
        for n in range(30)
    ]
    helena = f.profile(long_id, name="Helena Alves", email="helena@example.com", country="BR")
    davi = f.profile(name="Davi Alves", email="davi@example.com", country="BR")
    long_orders = f.recent(*(f"ord_{'9f3b' * 6}_{n}" for n in range(10)))
    store(
        dynalite_table,
        profiles=[*people, helena, davi],
        links=[
            *(f.order_link(person.customer_id, DESK) for person in people),
            f.profile_link(helena.customer_id, FAMILY),
            f.order_link(helena.customer_id, FAMILY, recent_orders=long_orders),
            f.order_link(helena.customer_id, DESK),
            f.order_link(davi.customer_id, FAMILY, recent_orders=f.recent("ord_4711")),
        ],
    )
    return helena, davi


def axe_serious(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now.

    The script is evaluated through the browser's debugging protocol, which the page's
    Content-Security-Policy does not govern: the page itself still allows no inline script.
    """
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
            id: v.id, impact: v.impact,
            nodes: v.nodes.slice(0, 3).map(node => node.target.join(" ")),
        }))"""
    )
    return [
        f"{v['id']} ({v['impact']}): {', '.join(v['nodes'])}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_no_serious_violation_on_any_page(
    page: Page, live_server, browser_db, lead, newcomer, desk_world
):
    helena, _ = desk_world
    base = live_server.url
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        page.wait_for_load_state("networkidle")
        found[name] = axe_serious(page)

    page.goto(f"{base}/login/")
    check("login")
    sign_in(page, lead.username)
    check("search, empty")
    page.goto(f"{base}/?phone=%2B442079460018&country=GB")
    check("results")
    page.goto(f"{base}/?phone=020+7946+0018&country=BR")
    check("did you mean")
    page.goto(f"{base}/?phone=ring+me&country=GB")
    check("search, form error")
    page.goto(f"{base}/")
    check("search, recent searches")
    page.goto(f"{base}/customers/{helena.customer_id}/?from=%2B5511912345678")
    check("customer")
    page.get_by_role("link", name=re.compile(r"^Unlink .*91234")).click()
    check("unlink")
    page.get_by_role("button", name="Unlink number").click()  # no reason: the form's error
    check("unlink, form error")
    page.get_by_label("Linked to the wrong customer").check()
    page.get_by_role("button", name="Unlink number").click()
    check("customer, after an unlink (message)")
    page.get_by_role("link", name=re.compile(r"^Restore")).click()
    check("restore")
    page.goto(f"{base}/?phone=%2B5511912345678&country=BR")
    page.locator("details.unlinked-hint summary").click()
    check("results, unlinked hint open")
    page.goto(f"{base}/customers/nobody/")
    check("404")
    page.context.clear_cookies()
    sign_in_page = f"{base}/login/"
    page.goto(sign_in_page)
    sign_in(page, newcomer.username)
    page.goto(f"{base}/")
    check("403")
    assert found == dict.fromkeys(found, [])
    assert len(found) == 14
    # The harness sees what it should: the old flash-message markup fails axe's list rule.
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("afterbegin",
            '<ul class="messages" role="status"><li class="message">Done.</li></ul>')"""
    )
    assert [v.split(" ")[0] for v in axe_serious(page)] == ["listitem"]


def test_axe_at_phone_width(browser: Browser, live_server, browser_db, agent, desk_world):
    helena, _ = desk_world
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, agent.username)
    for url in (
        "/?phone=%2B442079460018&country=GB",
        f"/customers/{helena.customer_id}/?from=%2B5511912345678",
    ):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        assert axe_serious(page) == [], url
    context.close()


def focus_by_tab(page: Page, selector: str, text: str = "", *, limit: int = 40) -> None:
    """Press Tab until an element matching `selector` (and holding `text`) has the focus, as
    a keyboard user would."""
    for _ in range(limit):
        if page.evaluate(
            "([s, t]) => document.activeElement.matches(s)"
            " && document.activeElement.textContent.includes(t)",
            [selector, text],
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} {text!r} never got the focus in {limit} tabs")


def test_keyboard_alone_from_search_to_a_customer_and_back(
    page: Page, live_server, browser_db, agent, desk_world
):
    page.goto(live_server.url)
    sign_in(page, agent.username)
    # The search box has the focus on arrival: type and press Enter.
    expect(page.get_by_label("Phone number")).to_be_focused()
    page.keyboard.type("+55 11 91234-5678")
    page.keyboard.press("Enter")
    expect(page.get_by_text("2 customers linked to this number")).to_be_visible()

    focus_by_tab(page, "table.results a[data-row-target]", "Davi Alves")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Davi Alves")).to_be_visible()
    expect(page.locator("tr.searched")).to_contain_text("+55 11 91234-5678")

    focus_by_tab(page, ".breadcrumb a")
    page.keyboard.press("Enter")
    expect(page.locator("table.results tbody tr")).to_have_count(2)

    # `/` from anywhere puts the cursor in the search box; a number with one current customer
    # opens that customer directly, saying so.
    page.goto(f"{live_server.url}/customers/{desk_world[1].customer_id}/")
    page.keyboard.press("/")
    expect(page.locator("#topbar-phone")).to_be_focused()
    page.keyboard.type(f"+44 20 7946 00{18 + 1}")  # nobody's number: the results say so
    page.keyboard.press("Enter")
    expect(page.get_by_text("No customer linked to +44 20 7946 0019")).to_be_visible()


def test_a_single_match_opens_directly_from_the_top_bar(
    page: Page, live_server, browser_db, agent, dynalite_table
):
    harry = f.profile(name="Harry Evans", email="harry@example.com")
    store(
        dynalite_table,
        profiles=[harry],
        links=[f.profile_link(harry.customer_id, f.UK_MOBILE)],
    )
    page.goto(live_server.url)
    sign_in(page, agent.username)
    page.goto(f"{live_server.url}/customers/{harry.customer_id}/")
    page.keyboard.press("/")
    page.keyboard.type("+44 7946 095812")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Harry Evans")).to_be_visible()
    expect(page.locator(".opened-directly")).to_contain_text("The only customer linked to")
    page.get_by_role("link", name="Show the results").click()
    expect(page.locator("table.results tbody tr")).to_have_count(1)


def overflowing(page: Page) -> list[str]:
    """The elements reaching past the right edge of the screen, to say what overflows."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
            .slice(-5).map(e => `${e.tagName}.${e.className}: ${e.textContent.slice(0, 40)}`)"""
    )


@pytest.mark.parametrize("width", [390, 700])
def test_nothing_overflows_a_narrow_screen(
    browser: Browser, live_server, browser_db, lead, desk_world, width
):
    helena, _ = desk_world
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, lead.username)
    for url in (
        "/?phone=%2B442079460018&country=GB",
        f"/customers/{helena.customer_id}/?from=%2B5511912345678",
        f"/customers/{helena.customer_id}/numbers/{FAMILY}/unlink/",
        "/?phone=020+7946+0018&country=BR",
        "/",
    ):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], (url, widths, overflowing(page))
        # The top bar's band spans the screen.
        band = page.locator(".topbar").bounding_box()
        assert band["width"] >= widths[1] - 1, url
    # Results are cards: each row's cells stacked, labelled from their column.
    page.goto(f"{live_server.url}/?phone=%2B442079460018&country=GB")
    if width < 700:
        cell = page.locator("table.results tbody tr").first.locator('td[data-label="Country"]')
        label = cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert label == '"Country"'
    context.close()


def test_copy_buttons_and_whole_row_clicks(
    browser: Browser, live_server, browser_db, agent, desk_world
):
    helena, davi = desk_world
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, agent.username)
    page.goto(f"{live_server.url}/?phone=%2B5511912345678&country=BR")
    row = page.locator("table.results tbody tr", has_text="Helena Alves")
    row.get_by_role("button", name="Copy customer id").click()
    # Said to a screen reader (the button reads "Copied" for a moment too).
    expect(page.get_by_role("status")).to_have_text(f"Copied {helena.customer_id}")
    assert page.evaluate("navigator.clipboard.readText()") == helena.customer_id
    assert page.url.endswith("country=BR")  # the button did not open the customer

    page.locator("table.results tbody tr", has_text="Davi Alves").locator(
        'td[data-label="Country"]'
    ).click()
    expect(page.get_by_role("heading", name="Davi Alves")).to_be_visible()
    context.close()


def test_every_page_works_without_javascript(
    browser: Browser, live_server, browser_db, lead, desk_world
):
    helena, _ = desk_world
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, lead.username)
    page.get_by_label("Phone number").fill("(11) 91234-5678")
    page.get_by_label("Country").select_option("BR")
    page.get_by_role("button", name="Search").click()
    # No copy button to offer without a script to copy; the name is the link.
    expect(page.locator("button.copy").first).to_be_hidden()
    page.get_by_role("link", name="Helena Alves").click()
    expect(page.get_by_role("heading", name="Helena Alves")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Unlink .*91234")).click()
    page.get_by_label("Linked to the wrong customer").check()
    page.get_by_role("button", name="Unlink number").click()
    # Helena's number is also the phone on her account: the message says she is still found.
    expect(page.locator(".messages")).to_contain_text(
        "The order link of +55 11 91234-5678 to Helena Alves is unlinked. "
        "Searches still find Helena Alves"
    )
    expect(page.locator(".breadcrumb")).to_contain_text("Back to customers linked to")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK).count() == 1
    context.close()


def test_the_message_after_an_unlink_has_the_focus(
    page: Page, live_server, browser_db, lead, desk_world
):
    helena, _ = desk_world
    page.goto(f"{live_server.url}/login/")
    sign_in(page, lead.username)
    page.goto(f"{live_server.url}/customers/{helena.customer_id}/numbers/{DESK}/unlink/")
    page.get_by_label("Number reassigned to someone else").check()
    page.get_by_role("button", name="Unlink number").click()
    expect(page.locator(".messages")).to_be_focused()
    expect(page.locator(".messages")).to_contain_text("is no longer linked to Helena Alves")


def test_an_unlinked_link_is_hinted_to_leads_only(
    browser: Browser, live_server, browser_db, lead, agent, desk_world
):
    helena, _ = desk_world
    for user, sees in ((lead, True), (agent, False)):
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        sign_in(page, user.username)
        if user is lead:
            page.goto(f"{live_server.url}/customers/{helena.customer_id}/numbers/{DESK}/unlink/")
            page.get_by_label("Customer asked for it to be removed").check()
            page.get_by_role("button", name="Unlink number").click()
        page.goto(f"{live_server.url}/?phone=%2B442079460018&country=GB")
        hint = page.locator("details.unlinked-hint")
        if sees:
            hint.locator("summary").click()
            expect(hint).to_contain_text("Helena Alves")
            expect(hint).to_contain_text("Customer asked for it to be removed")
        else:
            expect(hint).to_have_count(0)
        context.close()
