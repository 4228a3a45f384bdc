"""The strict Content-Security-Policy breaks nothing: no violation on any page, admin included.

Chromium reports each blocked inline script or style on the console; the pages must also still
look styled (the stylesheet is the only source of style allowed).
"""

import re

from playwright.sync_api import Page, expect

from tests import factories as f
from tests.lookups import store

DESK = "+442079460018"


def test_no_page_violates_the_policy(
    page: Page, live_server, browser_db, admin_user, agent, dynalite_table
):
    sam = f.profile(name="Sam Carter", email="sam@example.com")
    store(dynalite_table, profiles=[sam], links=[f.order_link(sam.customer_id, DESK)])
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )

    page.goto(live_server.url)
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(f"{admin_user.username}-password-1")
    page.get_by_role("button", name="Sign in").click()
    # Styled by app.css: the top bar's colour comes from the stylesheet only.
    topbar = page.locator(".topbar")
    expect(topbar).to_have_css("background-color", "rgb(18, 50, 79)")

    for url in [
        f"/?phone={DESK.replace('+', '%2B')}&country=GB",
        f"/customers/{sam.customer_id}/",
        "/admin/",
        "/admin/lookup/auditentry/",
        f"/admin/auth/user/{agent.pk}/change/",  # filter_horizontal, calendar widgets: admin JS
        "/admin/lookup/apiclient/add/",
    ]:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
    # The admin's own scripts ran: the groups selector was turned into its two-box widget.
    page.goto(f"{live_server.url}/admin/auth/user/{agent.pk}/change/")
    expect(page.locator(".selector-available")).to_be_visible()
    assert violations == []
