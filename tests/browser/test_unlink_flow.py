import re

from playwright.sync_api import Page, expect

from tests import factories as f
from tests.browser.test_search_flow import sign_in
from tests.lookups import store

DESK = "+442079460018"


def test_lead_unlinks_a_number_with_a_reason_and_it_is_gone_from_search(
    page: Page, live_server, browser_db, lead, dynalite_table
):
    sam, kim = f.profile(name="Sam Carter"), f.profile(name="Kim Wu")
    store(
        dynalite_table,
        profiles=[sam, kim],
        links=[f.order_link(sam.customer_id, DESK), f.order_link(kim.customer_id, DESK)],
    )
    page.goto(live_server.url)
    sign_in(page, lead.username)

    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Phone number").fill("020 7946 0018")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("table.results tbody tr")).to_have_count(2)
    page.get_by_role("link", name="Sam Carter").click()

    page.get_by_role("link", name=re.compile(r"^Unlink")).click()
    expect(
        page.get_by_role("heading", name="Unlink +44 20 7946 0018 from Sam Carter?")
    ).to_be_visible()
    page.get_by_label("Number reassigned to someone else").check()
    page.get_by_label("Details").fill("Caller says the desk changed companies")
    page.get_by_role("button", name="Unlink number").click()

    expect(page.get_by_role("status")).to_contain_text("is no longer linked to Sam Carter")
    row = page.locator("table.links tbody tr", has_text="+44 20 7946 0018")
    expect(row).to_contain_text("unlinked")
    expect(row).to_contain_text("Caller says the desk changed companies")

    page.get_by_role("link", name="+44 20 7946 0018", exact=True).click()
    expect(page.get_by_text("1 customer linked to this number")).to_be_visible()
    expect(page.locator("table.results")).not_to_contain_text("Sam Carter")
    expect(page.locator("table.results")).to_contain_text("Kim Wu")
