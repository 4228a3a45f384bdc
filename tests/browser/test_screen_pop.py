"""The screen-pop link a softphone opens on an incoming call, through the sign-in page."""

import re

from playwright.sync_api import Page, expect

from tests import factories as f
from tests.browser.test_search_flow import family_phone, sign_in  # noqa: F401 - the fixture
from tests.lookups import store


def test_a_screen_pop_link_survives_the_sign_in_and_searches_at_once(
    page: Page,
    live_server,
    browser_db,
    agent,
    family_phone,  # noqa: F811
):
    # As a contact-centre softphone opens it: a tel: URI, the country in lower case.
    page.goto(f"{live_server.url}/?phone=tel:%2B55-11-91234-5678&country=br")
    sign_in(page, agent.username)

    expect(page.get_by_role("heading", name=re.compile(r"\+55 11 91234-5678"))).to_be_visible()
    expect(page.get_by_text("2 customers linked to this number")).to_be_visible()
    expect(page.get_by_label("Country")).to_have_value("BR")


def test_a_link_without_a_country_with_a_national_number_offers_the_right_one(
    page: Page, live_server, browser_db, agent, dynalite_table, settings
):
    settings.PHONE_REGIONS = ["GB", "BR"]
    settings.DEFAULT_PHONE_REGION = "BR"
    desk = [f.profile(name=f"Desk {n}") for n in range(3)]
    store(
        dynalite_table,
        profiles=desk,
        links=[f.order_link(p.customer_id, "+442079460018") for p in desk],
    )
    page.goto(f"{live_server.url}/?phone=020%207946%200018")
    sign_in(page, agent.username)

    expect(page.get_by_text("Did you mean:")).to_be_visible()
    offer = re.compile(r"\+44 20 7946 0018, United Kingdom: 3 customers")
    page.get_by_role("link", name=offer).click()
    expect(page.get_by_text("3 customers linked to this number")).to_be_visible()
    expect(page.get_by_label("Country")).to_have_value("GB")
