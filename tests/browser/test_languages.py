"""Every page in German and Brazilian Portuguese (the longest words), at a phone's width and a
desk's: nothing scrolls sideways, no button or box cuts its text, axe-core finds nothing
serious, and the page says its language. The language is chosen from the menu (also without
JavaScript); the sign-in page and an account without a choice get the browser's."""

import pytest
from playwright.sync_api import Browser, Page

from lookup.domain.decisions import LinkDecision
from tests import factories as f
from tests.browser.test_desk import axe_serious, overflowing
from tests.lookups import decide, store

DESK = "+442079460018"  # +44 20 7946 0018
FAMILY = "+5511912345678"  # +55 11 91234-5678
BROWSER_LOCALE = {"de": "de-DE", "pt-br": "pt-BR"}


@pytest.fixture
def desk_world(dynalite_table, lead):
    helena = f.profile(name="Helena Alves", email="helena@example.com", country="BR")
    davi = f.profile(name="Davi Alves", email="davi@example.com", country="BR")
    people = [f.profile(name=f"Kundin Mit Einem Langen Namen {n}") for n in range(3)]
    store(
        dynalite_table,
        profiles=[helena, davi, *people],
        links=[
            f.profile_link(helena.customer_id, FAMILY),
            f.order_link(helena.customer_id, DESK),
            f.order_link(davi.customer_id, FAMILY, recent_orders=f.recent("ord_4711")),
            *(f.order_link(person.customer_id, DESK) for person in people),
        ],
    )
    decide(LinkDecision.UNLINK, customer_id=helena.customer_id, phone=DESK, by=lead, reason="moved")
    return helena, davi


def sign_in(page: Page, username: str) -> None:
    """The password form, whatever language its labels are in."""
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(f"{username}-password-1")
    page.locator('form:has(input[name="password"]) button[type="submit"]').click()
    page.wait_for_load_state("networkidle")


def problems(page: Page, language: str) -> list[str]:
    """What an agent would see wrong on the page as it is now."""
    page.wait_for_load_state("networkidle")
    found = []
    lang = page.locator("html").get_attribute("lang")
    if lang != language:
        found.append(f"<html lang={lang!r}>")
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if width[0] > width[1]:
        found.append(f"scrolls sideways {width}: {overflowing(page)}")
    cut = page.evaluate(
        """() => [...document.querySelectorAll(
                "button, .button, input[type=submit], select, label, .badge, th")]
            .filter(e => e.offsetParent !== null && !e.closest(".visually-hidden")
                    && e.scrollWidth > e.clientWidth + 1
                    && getComputedStyle(e).overflowX !== "visible")
            .map(e => `${e.tagName}.${e.className}: ${e.textContent.trim().slice(0, 40)}`)"""
    )
    found += [f"cut: {text}" for text in cut]
    found += axe_serious(page)
    return found


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("language", ["de", "pt-br"])
def test_every_page_holds_in_the_language(
    browser: Browser,
    live_server,
    browser_db,
    settings,
    lead,
    admin_user,
    desk_world,
    language,
    width,
):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0
    helena, davi = desk_world
    base = live_server.url
    context = browser.new_context(
        viewport={"width": width, "height": 844},
        locale="en-GB",
    )
    page = context.new_page()
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        found[name] = problems(page, language)

    page.goto(f"{base}/login/")
    sign_in(page, lead.username)
    page.locator("#language-menu").select_option(language)
    page.locator("form.language-menu button").click()
    check("search")
    page.goto(f"{base}/?phone=%2B442079460018&country=GB")
    check("results")
    page.goto(f"{base}/?phone=020+7946+0018&country=BR")
    check("did you mean")
    page.goto(f"{base}/?phone=ring+me&country=GB")
    check("search, form error")
    page.goto(f"{base}/?phone=%2B442079460018&country=GB")
    page.goto(f"{base}/")
    check("recent searches")
    page.goto(f"{base}/customers/{davi.customer_id}/?from=%2B5511912345678")
    check("customer")
    page.goto(f"{base}/customers/{davi.customer_id}/numbers/%2B5511912345678/unlink/")
    check("unlink")
    page.locator('form:has(textarea) button[type="submit"]').click()
    check("unlink, form error")
    page.goto(f"{base}/customers/{helena.customer_id}/numbers/%2B442079460018/restore/")
    check("restore")
    page.goto(f"{base}/customers/nobody/")
    check("404")
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 1
    page.goto(f"{base}/?phone=%2B442079460018&country=GB")
    page.goto(f"{base}/?phone=%2B442079460018&country=GB")
    check("429")
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0
    page.locator('form[action="/logout/"] button').click()
    check("sign-in page after signing out")  # the choice outlives the session
    context.close()

    # An admin without a choice: the browser's language, the admin's own pages included.
    context = browser.new_context(
        viewport={"width": width, "height": 844}, locale=BROWSER_LOCALE[language]
    )
    page = context.new_page()
    page.goto(f"{base}/login/")
    check("sign-in page")
    sign_in(page, admin_user.username)
    page.goto(f"{base}/admin/")
    check("admin")
    page.goto(f"{base}/admin/lookup/auditentry/")
    check("audit trail")
    context.close()

    assert found == dict.fromkeys(found, []), {k: v for k, v in found.items() if v}
    assert len(found) == 15


def test_the_menu_works_without_javascript(browser: Browser, live_server, browser_db, agent):
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, agent.username)
    assert page.locator("html").get_attribute("lang") == "en"

    page.locator("#language-menu").select_option("fr")
    page.locator("form.language-menu button").click()

    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("#language-menu option[selected]").get_attribute("value") == "fr"
    context.close()
