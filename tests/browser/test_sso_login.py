"""Single sign-on in a real browser: the tool on http://localhost, the identity provider on
http://127.0.0.1, two different sites, as a company's provider and the tool are in production.
So the provider's redirect back arrives cross-site, without the SameSite=Strict session cookie,
and the sign-in must still complete."""

import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from lookup.access import roles
from lookup.models import AuditEntry
from tests.sso.provider import AGENT_GROUP, LEAD_GROUP, identity_provider_running


@pytest.fixture
def sso_only(live_server, browser_db, dynalite_table, settings, tmp_path):
    """The tool in production shape: single sign-on only, no password form."""
    if not Group.objects.filter(name=roles.SUPPORT_LEAD).exists():
        # An earlier transactional test flushed the tables; put the roles back as migrate does.
        importlib.import_module("lookup.migrations.0002_roles").create_roles(apps, None)
    with identity_provider_running(
        redirect_uris=[f"{live_server.url}/oidc/callback/"], workdir=tmp_path
    ) as provider:
        for name, value in provider.tool_settings().items():
            setattr(settings, name, value)
        settings.PASSWORD_LOGIN_ENABLED = False
        settings.AUTHENTICATION_BACKENDS = ["lookup.sso.backend.RoleMappingOIDCBackend"]
        settings.OIDC_PROVIDER_NAME = "Contoso account"
        yield provider


def sign_in_at_provider(page: Page, login: str) -> None:
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_label("Password")).to_have_count(0)
    page.get_by_role("link", name="Sign in with Contoso account").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("Directory login").fill(login)
    page.get_by_role("button", name="Continue").click()


def test_a_lead_signs_in_through_the_identity_provider_and_lands_on_search(
    page: Page, live_server, sso_only
):
    sso_only.person_put("lena.lead", groups=[LEAD_GROUP], given_name="Lena", family_name="Lee")
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(live_server.url)
    sign_in_at_provider(page, "lena.lead")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Signed in as lena.lead")).to_be_visible()
    expect(page.get_by_label("Phone number")).to_be_visible()
    lena = get_user_model().objects.get(username="lena.lead")
    assert [group.name for group in lena.groups.all()] == [roles.SUPPORT_LEAD]
    assert (lena.first_name, lena.last_name, lena.is_staff) == ("Lena", "Lee", False)
    assert AuditEntry.objects.filter(user=lena, action=AuditEntry.Action.LOGIN).count() == 1
    # The redirect back came from another site: the tool's same-site hop brought the cookie.
    assert any("same_site_hop=1" in url for url in requested)


def test_someone_without_a_support_group_reads_why_on_the_login_page(
    page: Page, live_server, sso_only
):
    sso_only.person_put("mo.marketing", groups=["marketing"])
    sso_only.person_put("ali.agent", groups=[AGENT_GROUP])

    page.goto(f"{live_server.url}/login/")
    sign_in_at_provider(page, "mo.marketing")

    expect(page).to_have_url(f"{live_server.url}/login/")
    expect(page.get_by_text("none of your groups gives access to the support tool")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
