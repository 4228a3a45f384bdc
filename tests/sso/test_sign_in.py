"""Signing in through the identity provider: accounts, roles, refusals and the audit trail."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.html import escape

from lookup.access import roles
from lookup.models import AuditEntry
from tests.sso.conftest import sso_return, sso_sign_in, sso_start
from tests.sso.provider import ADMIN_GROUP, AGENT_GROUP, LEAD_GROUP

pytestmark = pytest.mark.django_db

User = get_user_model()


def roles_of(username: str) -> list[str]:
    return sorted(User.objects.get(username=username).groups.values_list("name", flat=True))


def signed_in_as(client: Client) -> str | None:
    """Who the tool thinks this browser is, as the page header shows it."""
    response = client.get("/", follow=True)
    user = response.context["user"] if response.context else None
    return user.get_username() if user is not None and user.is_authenticated else None


def page_text(response) -> str:
    return response.content.decode()


def test_agent_group_signs_in_as_a_support_agent_on_the_search_page(sso):
    sso.person_put("sam.sample", groups=[AGENT_GROUP], given_name="Sam", family_name="Sample")
    browser = Client()

    response = sso_sign_in(browser, sso, login="sam.sample")

    assert response.status_code == 302
    assert response["Location"] == "/"
    search = browser.get("/")
    assert search.status_code == 200
    assert "Signed in as <strong><bdi>sam.sample</bdi></strong>" in page_text(search)
    user = User.objects.get(username="sam.sample")
    assert (user.email, user.first_name, user.last_name) == (
        "sam.sample@example.com",
        "Sam",
        "Sample",
    )
    assert roles_of("sam.sample") == [roles.SUPPORT_AGENT]
    assert not user.is_staff
    assert not user.has_usable_password()
    assert user.has_perm("lookup.search_phone") and not user.has_perm("lookup.unlink_phone")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN)
    assert (entry.user, entry.actor) == (user, "sam.sample")
    assert entry.reason == "single sign-on; roles: Support agent"
    assert entry.client_address == "127.0.0.1"
    assert entry.request_id


@pytest.mark.parametrize(
    ("groups", "expected_roles", "staff"),
    [
        ([LEAD_GROUP], [roles.SUPPORT_LEAD], False),
        ([ADMIN_GROUP], [roles.ADMIN], True),
        ([LEAD_GROUP, ADMIN_GROUP, "all-staff"], [roles.ADMIN, roles.SUPPORT_LEAD], True),
    ],
)
def test_groups_map_to_roles_and_the_admin_role_opens_the_django_admin(
    sso, groups, expected_roles, staff
):
    sso.person_put("robin", groups=groups)
    browser = Client()

    sso_sign_in(browser, sso, login="robin")

    assert roles_of("robin") == expected_roles
    user = User.objects.get(username="robin")
    assert user.is_staff is staff
    assert user.has_perm("lookup.unlink_phone") is (roles.SUPPORT_LEAD in expected_roles)
    assert browser.get("/admin/", follow=True).status_code == (200 if staff else 403)


def test_changed_groups_change_roles_and_staff_status_at_the_next_sign_in(sso):
    sso.person_put("casey", groups=[AGENT_GROUP])
    sso_sign_in(Client(), sso, login="casey")
    assert roles_of("casey") == [roles.SUPPORT_AGENT]

    sso.person_put("casey", groups=[LEAD_GROUP, ADMIN_GROUP], family_name="Promoted")
    sso_sign_in(Client(), sso, login="casey")
    assert roles_of("casey") == [roles.ADMIN, roles.SUPPORT_LEAD]
    assert User.objects.get(username="casey").is_staff
    assert User.objects.get(username="casey").last_name == "Promoted"

    sso.person_put("casey", groups=[LEAD_GROUP])
    browser = Client()
    sso_sign_in(browser, sso, login="casey")
    assert roles_of("casey") == [roles.SUPPORT_LEAD]
    assert not User.objects.get(username="casey").is_staff
    assert browser.get("/admin/", follow=True).status_code == 403


def test_a_superuser_keeps_staff_status_without_the_admin_group(sso):
    User.objects.create_superuser("root.ops", email="ops@example.com")
    sso.person_put("root.ops", groups=[LEAD_GROUP])

    sso_sign_in(Client(), sso, login="root.ops")

    user = User.objects.get(username="root.ops")
    assert user.is_staff and user.is_superuser
    assert roles_of("root.ops") == [roles.SUPPORT_LEAD]


def test_roles_outside_the_tool_are_left_as_an_admin_set_them(sso):
    from django.contrib.auth.models import Group

    sso.person_put("dana", groups=[AGENT_GROUP])
    sso_sign_in(Client(), sso, login="dana")
    User.objects.get(username="dana").groups.add(Group.objects.create(name="Night shift"))

    sso_sign_in(Client(), sso, login="dana")

    assert roles_of("dana") == ["Night shift", roles.SUPPORT_AGENT]


def test_someone_in_no_mapped_group_is_refused_deactivated_and_signed_out_everywhere(sso):
    sso.person_put("lee.leaver", groups=[AGENT_GROUP])
    first_browser = Client()
    sso_sign_in(first_browser, sso, login="lee.leaver")
    assert signed_in_as(first_browser) == "lee.leaver"

    sso.person_put("lee.leaver", groups=["marketing"])
    second_browser = Client()
    response = sso_sign_in(second_browser, sso, login="lee.leaver")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    login_page = second_browser.get("/login/")
    assert "none of your groups gives access to the support tool" in page_text(login_page)
    assert signed_in_as(second_browser) is None
    user = User.objects.get(username="lee.leaver")
    assert not user.is_active
    assert roles_of("lee.leaver") == []
    # The session opened before is over too.
    assert signed_in_as(first_browser) is None
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_REFUSED)
    assert (entry.user, entry.actor) == (user, "lee.leaver")
    assert "marketing" in entry.reason and "account deactivated" in entry.reason


def test_a_deactivated_person_given_a_group_again_is_back_with_that_role(sso):
    sso.person_put("pat", groups=[LEAD_GROUP])
    sso_sign_in(Client(), sso, login="pat")
    sso.person_put("pat", groups=[])
    sso_sign_in(Client(), sso, login="pat")
    assert not User.objects.get(username="pat").is_active

    sso.person_put("pat", groups=[AGENT_GROUP])
    browser = Client()
    sso_sign_in(browser, sso, login="pat")

    assert User.objects.get(username="pat").is_active
    assert roles_of("pat") == [roles.SUPPORT_AGENT]
    assert signed_in_as(browser) == "pat"


def test_a_newcomer_in_no_mapped_group_gets_no_account(sso):
    sso.person_put("nico.newcomer", groups=[])
    browser = Client()

    response = sso_sign_in(browser, sso, login="nico.newcomer")

    assert response["Location"] == "/login/"
    assert not User.objects.filter(username="nico.newcomer").exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_REFUSED)
    assert (entry.user, entry.actor) == (None, "nico.newcomer")
    assert "received: none" in entry.reason


def test_groups_and_names_from_claims_the_operator_chose(sso, settings):
    settings.OIDC_GROUPS_CLAIM = "roles"
    settings.OIDC_USERNAME_CLAIM = "upn"
    sso.person_put("kim", groups=[AGENT_GROUP], roles=[LEAD_GROUP], upn="kim@corp.example")

    sso_sign_in(Client(), sso, login="kim")

    assert roles_of("kim@corp.example") == [roles.SUPPORT_LEAD]


def test_claims_from_the_id_token_alone_when_no_userinfo_endpoint_is_set(sso, settings):
    settings.OIDC_OP_USER_ENDPOINT = ""
    sso.person_put("ida", groups=[ADMIN_GROUP])

    sso_sign_in(Client(), sso, login="ida")

    assert roles_of("ida") == [roles.ADMIN]


def test_no_username_claim_is_refused_with_a_message(sso, settings):
    settings.OIDC_USERNAME_CLAIM = "upn"
    sso.person_put("noname", groups=[AGENT_GROUP])
    browser = Client()

    sso_sign_in(browser, sso, login="noname")

    assert "did not say who you are" in page_text(browser.get("/login/"))
    assert not User.objects.filter(username="noname").exists()
    assert "'upn'" in AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_REFUSED).reason


def test_sign_in_returns_to_the_page_asked_for_and_never_to_another_site(sso):
    sso.person_put("val", groups=[AGENT_GROUP])

    response = sso_sign_in(Client(), sso, login="val", next_url="/customers/c-42/")
    assert response["Location"] == "/customers/c-42/"

    response = sso_sign_in(Client(), sso, login="val", next_url="https://evil.example/")
    assert response["Location"] == "/"


def test_the_login_redirect_carries_state_nonce_and_a_pkce_challenge(sso):
    query = parse_qs(urlsplit(sso_start(Client())).query)

    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert query["scope"] == ["openid email profile groups"]


def test_cancelling_at_the_provider_says_so_and_is_audited(sso):
    sso.person_put("quinn", groups=[AGENT_GROUP])
    browser = Client()

    back = sso.sign_in(sso_start(browser), login="quinn", cancel=True)
    response = sso_return(browser, back)

    assert response["Location"] == "/login/"
    assert "did not sign you in (you cancelled)" in page_text(browser.get("/login/"))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_REFUSED)
    assert entry.actor == "anonymous"
    assert "access_denied" in entry.reason


def test_an_answer_is_good_once_and_only_in_the_browser_that_asked(sso):
    sso.person_put("rae", groups=[AGENT_GROUP])
    browser = Client()
    back = sso.sign_in(sso_start(browser), login="rae")

    # Another browser (say, an attacker who obtained the URL) arrives without our session
    # cookie: one same-site hop, then a refusal, since it never started this sign-in.
    stranger = Client()
    parts = urlsplit(back)
    hop = stranger.get(f"{parts.path}?{parts.query}")
    assert hop.status_code == 200
    continue_url = hop["Refresh"].removeprefix("0;url=")
    assert continue_url.startswith("/oidc/callback/?") and "same_site_hop=1" in continue_url
    assert f'href="{escape(continue_url)}"' in page_text(hop)
    refused = stranger.get(continue_url)
    assert refused["Location"] == "/login/"
    assert signed_in_as(stranger) is None

    # The browser that asked still signs in with it, once.
    assert sso_return(browser, back)["Location"] == "/"
    assert signed_in_as(browser) == "rae"
    assert sso_return(Client(), back)["Location"] == "/login/"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN).count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_REFUSED).count() == 2


def test_a_replayed_answer_in_the_same_browser_is_refused(sso):
    sso.person_put("sol", groups=[AGENT_GROUP])
    browser = Client()
    back = sso.sign_in(sso_start(browser), login="sol")
    sso_return(browser, back)
    browser.logout()
    browser.get("/login/")  # a fresh anonymous session

    response = sso_return(browser, back)

    assert response["Location"] == "/login/"
    assert "expired or was started in another window" in page_text(browser.get("/login/"))
    assert signed_in_as(browser) is None


def test_a_token_from_another_issuer_is_refused(sso, settings):
    sso.person_put("ivy", groups=[AGENT_GROUP])
    browser = Client()
    back = sso.sign_in(sso_start(browser), login="ivy")
    settings.OIDC_OP_ISSUER = "https://login.other-company.example"
    # Without the answer's own `iss` parameter (RFC 9207), the ID token's is what is checked.
    parts = urlsplit(back)
    query = {k: v[0] for k, v in parse_qs(parts.query).items() if k != "iss"}

    response = browser.get(f"{parts.path}?{urlencode(query)}")

    assert response["Location"] == "/login/"
    assert not User.objects.filter(username="ivy").exists()
    reason = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_REFUSED).reason
    assert "issuer" in reason


def test_an_answer_naming_another_issuer_is_refused(sso, settings):
    sso.person_put("ike", groups=[AGENT_GROUP])
    browser = Client()
    back = sso.sign_in(sso_start(browser), login="ike")
    settings.OIDC_OP_ISSUER = "https://login.other-company.example"

    response = sso_return(browser, back)

    assert response["Location"] == "/login/"
    assert not User.objects.filter(username="ike").exists()
    assert "expected" in AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_REFUSED).reason


def test_a_wrong_client_secret_is_refused_at_the_token_endpoint(sso, settings):
    sso.person_put("wes", groups=[AGENT_GROUP])
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"
    browser = Client()

    sso_sign_in(browser, sso, login="wes")

    assert "could not be reached or refused" in page_text(browser.get("/login/"))
    reason = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_REFUSED).reason
    assert "401" in reason and "not-the-secret" not in reason


def test_an_unreachable_token_endpoint_is_refused_quickly(sso, settings):
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    sso.person_put("una", groups=[AGENT_GROUP])
    browser = Client()
    back = sso.sign_in(sso_start(browser), login="una")
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{closed_port}/token"

    started = time.monotonic()
    response = sso_return(browser, back)

    assert time.monotonic() - started < settings.OIDC_TIMEOUT
    assert response["Location"] == "/login/"
    assert "could not be reached" in page_text(browser.get("/login/"))
    assert signed_in_as(browser) is None
