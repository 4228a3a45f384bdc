"""The session check of single sign-on in a real browser, the provider on another site: the
silent trip there and back, a form sent while a check was due, and the
end of a session whose groups no longer grant a role. The checks' clock is moved, not waited."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from lookup.models import AuditEntry
from lookup.sso import recheck
from tests import factories as f
from tests.browser.test_sso_login import sign_in_at_provider, sso_only  # noqa: F401
from tests.lookups import store
from tests.sso.provider import LEAD_GROUP
from tests.sso.test_session_check import Clock

DESK = "+442079460018"


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(recheck, "session_clock", clock)
    return clock


def test_a_check_is_silent_and_a_form_sent_meanwhile_is_offered_again(
    page: Page,
    live_server,
    sso_only,  # noqa: F811
    dynalite_table,
    clock,
):
    sam, kim = f.profile(name="Sam Carter"), f.profile(name="Kim Wu")
    store(
        dynalite_table,
        profiles=[sam, kim],
        links=[f.order_link(sam.customer_id, DESK), f.order_link(kim.customer_id, DESK)],
    )
    sso_only.person_put("lena.lead", groups=[LEAD_GROUP])
    unlink = live_server.url + reverse("lookup:unlink", args=[sam.customer_id, DESK])
    page.goto(live_server.url)
    sign_in_at_provider(page, "lena.lead")
    expect(page.get_by_text("Signed in as lena.lead")).to_be_visible()
    requested = []
    page.on("request", lambda request: requested.append((request.method, request.url)))

    clock.forward(settings.OIDC_SESSION_CHECK_INTERVAL)
    page.goto(unlink)

    # Through the provider and back to the page asked for, without a page to act on.
    expect(page).to_have_url(unlink)
    expect(page.get_by_role("heading", name=re.compile("^Unlink"))).to_be_visible()
    assert any("prompt=none" in url for _, url in requested)

    page.get_by_label("Number reassigned to someone else").check()
    page.get_by_label("Details").fill("Desk moved")
    clock.forward(settings.OIDC_SESSION_CHECK_INTERVAL)
    page.get_by_role("button", name="Unlink number").click()

    expect(page.get_by_role("heading", name="Send the form again")).to_be_visible()
    expect(page.get_by_text("Nothing has been saved yet")).to_be_visible()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK).exists()
    page.get_by_role("button", name="Send again").click()

    expect(page.get_by_role("status")).to_contain_text("is no longer linked to Sam Carter")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UNLINK)
    assert entry.reason == "Number reassigned to someone else: Desk moved"


def test_someone_moved_out_of_the_groups_is_signed_out_at_the_next_check(
    page: Page,
    live_server,
    sso_only,  # noqa: F811
    dynalite_table,
    clock,
):
    sso_only.person_put("max.mover", groups=[LEAD_GROUP])
    page.goto(live_server.url)
    sign_in_at_provider(page, "max.mover")
    expect(page.get_by_text("Signed in as max.mover")).to_be_visible()
    sso_only.person_put("max.mover", groups=["marketing"])

    clock.forward(settings.OIDC_SESSION_CHECK_INTERVAL)
    page.reload()

    expect(page).to_have_url(f"{live_server.url}/login/")
    expect(page.get_by_text("none of your groups gives access to the support tool")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
