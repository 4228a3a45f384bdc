import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.lookups import store

FAMILY = "+5511912345678"


@pytest.fixture
def family_phone(dynalite_table):
    mother = f.profile(name="Helena Alves", email="helena@example.com", country="BR")
    son = f.profile(name="Davi Alves", email="davi@example.com", country="BR")
    store(
        dynalite_table,
        profiles=[mother, son],
        links=[
            f.profile_link(mother.customer_id, FAMILY),
            f.order_link(son.customer_id, FAMILY, recent_orders=f.recent("ord_4711")),
            f.profile_link(son.customer_id, "+5521987654321"),
        ],
    )
    return mother, son


def sign_in(page: Page, username: str) -> None:
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-password-1")
    page.get_by_role("button", name="Sign in").click()


def test_agent_logs_in_searches_and_opens_a_customer(
    page: Page, live_server, browser_db, agent, family_phone
):
    page.goto(live_server.url)
    sign_in(page, agent.username)

    page.get_by_label("Country").select_option("BR")
    page.get_by_label("Phone number").fill("(11) 91234-5678")
    page.get_by_label("Phone number").press("Enter")

    expect(page.get_by_role("heading", name=re.compile(r"\+55 11 91234-5678"))).to_be_visible()
    expect(page.get_by_text("2 customers linked to this number")).to_be_visible()
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(2)

    page.get_by_role("link", name="Davi Alves").click()

    expect(page.get_by_role("heading", name="Davi Alves")).to_be_visible()
    expect(page.get_by_text("davi@example.com")).to_be_visible()
    numbers = page.locator("table.links tbody tr")
    expect(numbers).to_have_count(2)
    expect(numbers.filter(has_text="+55 11 91234-5678")).to_contain_text("Order")
    expect(numbers.filter(has_text="+55 11 91234-5678")).to_contain_text("ord_4711")
    expect(numbers.filter(has_text="+55 21 98765-4321")).to_contain_text("Profile")

    page.get_by_role("link", name=re.compile("Back to customers linked to")).click()
    expect(page.locator("table.results tbody tr")).to_have_count(2)


def test_unusable_number_shows_the_error_next_to_the_field(
    page: Page, live_server, browser_db, agent, dynalite_table
):
    page.goto(f"{live_server.url}/login/")
    sign_in(page, agent.username)

    page.get_by_label("Phone number").fill("ring me")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("alert")).to_contain_text("cannot contain letters")
    expect(page.get_by_label("Phone number")).to_have_value("ring me")
    expect(page.get_by_label("Phone number")).to_have_attribute("aria-invalid", "true")
