"""Single sign-on sessions are checked again with the identity provider every
OIDC_SESSION_CHECK_INTERVAL: silently while the person still has access, ending the session when
they do not. Time is the checks' own clock, moved by the tests; the provider is the real one."""

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client

from lookup.access import roles
from lookup.middleware import SESSION_SIGNED_IN_AT
from lookup.models import AuditEntry
from lookup.sso import recheck
from tests.sso.conftest import CALLBACK, sso_return, sso_sign_in
from tests.sso.provider import ADMIN_GROUP, AGENT_GROUP, LEAD_GROUP
from tests.sso.test_password_login import SSO_ENV, load_settings
from tests.views.test_unlink import linked, search_ids, unlink_url  # noqa: F401

pytestmark = pytest.mark.django_db

User = get_user_model()
PAGE = "/?phone=020+7946+0018&country=GB"


@pytest.fixture(autouse=True)
def _directory(moto_table):
    """The pages the person works on read the phone directory."""
    return moto_table


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def forward(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(recheck, "session_clock", clock)
    return clock


@pytest.fixture
def interval(settings) -> int:
    return settings.OIDC_SESSION_CHECK_INTERVAL


def signed_in(sso, login: str, **person) -> tuple[Client, requests.Session]:
    """A browser signed in as `login`, and its cookies at the provider (its session there)."""
    sso.person_put(login, **person)
    browser, at_provider = Client(), requests.Session()
    assert sso_sign_in(browser, sso, login=login, provider_browser=at_provider).status_code == 302
    return browser, at_provider


def is_check(response) -> bool:
    """Whether the tool sent the browser to the provider for a silent check."""
    location = response.get("Location", "") if response.status_code == 302 else ""
    return parse_qs(urlsplit(location).query).get("prompt") == ["none"]


def checked(sso, browser: Client, at_provider: requests.Session, response):
    """Let the browser go through the check the tool asked for; the tool's answer."""
    assert is_check(response), response
    return sso_return(browser, sso.answer_silently(response["Location"], browser=at_provider))


def page_reloaded(browser: Client, response):
    """Follow the `Refresh` of a page that goes on at once, as a browser does."""
    assert response.status_code == 200 and response.has_header("Refresh"), response
    return browser.get(response["Refresh"].removeprefix("0;url="))


def login_page(browser: Client) -> str:
    return browser.get("/login/").content.decode()


def test_the_default_interval_is_15_minutes(interval):
    assert interval == 15 * 60


def test_someone_whose_groups_stop_granting_a_role_loses_access_within_the_interval(
    sso, clock, interval
):
    browser, at_provider = signed_in(sso, "lee.leaver", groups=[AGENT_GROUP])
    sso.person_put("lee.leaver", groups=["marketing"])  # IT moves them out

    clock.forward(interval - 1)
    assert browser.get(PAGE).status_code == 200  # not due yet: no trip to the provider
    clock.forward(1)
    response = checked(sso, browser, at_provider, browser.get(PAGE))

    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "none of your groups gives access to the support tool" in login_page(browser)
    assert browser.get(PAGE)["Location"].startswith("/login/")  # signed out
    user = User.objects.get(username="lee.leaver")
    assert not user.is_active and not user.groups.exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_REFUSED)
    assert (entry.user, entry.actor) == (user, "lee.leaver")
    assert entry.reason.startswith("session check: no group in 'groups' grants a role")
    assert entry.reason.endswith("; session ended")


def test_someone_still_granted_keeps_working_without_seeing_the_check(sso, clock, interval):
    browser, at_provider = signed_in(sso, "sam", groups=[AGENT_GROUP])
    signed_in_at = browser.session[SESSION_SIGNED_IN_AT]
    csrf_token = browser.cookies["csrftoken"].value

    clock.forward(interval)
    going = browser.get(PAGE)
    back = checked(sso, browser, at_provider, going)

    # The provider showed nothing (answer_silently) and the browser is back where it was going.
    assert back.status_code == 302 and back["Location"] == PAGE
    assert browser.get(PAGE).status_code == 200
    # Not a new sign-in: same session start, same CSRF token, no new audit entry.
    assert browser.session[SESSION_SIGNED_IN_AT] == signed_in_at
    assert browser.cookies["csrftoken"].value == csrf_token
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN).count() == 1
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_REFUSED).exists()
    # And the next check is a whole interval later.
    clock.forward(interval - 1)
    assert browser.get(PAGE).status_code == 200
    clock.forward(1)
    assert is_check(browser.get(PAGE))


def test_the_check_is_a_silent_code_flow_request(sso, clock, interval):
    browser, _ = signed_in(sso, "pia", groups=[AGENT_GROUP])
    clock.forward(interval)

    query = parse_qs(urlsplit(browser.get("/")["Location"]).query)

    assert query["prompt"] == ["none"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32


def test_roles_are_recomputed_at_each_check(sso, clock, interval):
    browser, at_provider = signed_in(sso, "ada", groups=[ADMIN_GROUP, LEAD_GROUP])
    assert browser.get("/admin/").status_code == 200
    sso.person_put("ada", groups=[AGENT_GROUP])  # moved from lead and admin to agent

    clock.forward(interval)
    assert checked(sso, browser, at_provider, browser.get("/admin/"))["Location"] == "/admin/"

    assert browser.get("/admin/", follow=True).status_code == 403
    ada = User.objects.get(username="ada")
    assert [group.name for group in ada.groups.all()] == [roles.SUPPORT_AGENT]
    assert not ada.is_staff and not ada.has_perm("lookup.unlink_phone")


def test_the_provider_saying_the_login_is_gone_ends_the_session(sso, clock, interval):
    browser, _ = signed_in(sso, "otto", groups=[AGENT_GROUP])
    signed_out_at_provider = requests.Session()  # their session there is over

    clock.forward(interval)
    response = checked(sso, browser, signed_out_at_provider, browser.get(PAGE))

    assert response["Location"] == "/login/"
    assert "you are no longer signed in with your company account" in login_page(browser)
    assert browser.get(PAGE)["Location"].startswith("/login/")
    assert User.objects.get(username="otto").is_active  # the provider did not say they left
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_REFUSED)
    assert "login_required" in entry.reason and entry.reason.endswith("; session ended")
    assert entry.user == User.objects.get(username="otto")


def test_an_answer_for_someone_else_ends_the_session(sso, clock, interval):
    browser, _ = signed_in(sso, "una", groups=[AGENT_GROUP])
    sso.person_put("vic", groups=[AGENT_GROUP])
    vic_at_provider = requests.Session()
    sso.sign_in(sso_start_url(sso), login="vic", browser=vic_at_provider)

    clock.forward(interval)
    response = checked(sso, browser, vic_at_provider, browser.get(PAGE))

    assert response["Location"] == "/login/"
    assert browser.get(PAGE)["Location"].startswith("/login/")
    assert "'vic'" in AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_REFUSED).reason


def sso_start_url(sso) -> str:
    """A sign-in started in another browser, to sign someone in at the provider."""
    return Client().get("/oidc/authenticate/")["Location"]


def test_a_form_posted_after_the_interval_is_kept_and_sent_once_confirmed(
    sso,
    clock,
    interval,
    linked,  # noqa: F811
):
    sam, kim = linked
    browser, at_provider = signed_in(sso, "leo", groups=[LEAD_GROUP])
    assert browser.get(unlink_url(sam.customer_id)).status_code == 200  # the form, on screen
    form = {"reason": "other", "details": 'Caller said: "not mine"\nTicket <4411>', "version": 0}

    clock.forward(interval)
    posted = browser.post(unlink_url(sam.customer_id), form)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK).exists()
    assert "Nothing has been saved yet" in posted.content.decode()
    assert "{#" not in posted.content.decode()  # no template comment leaks onto the page
    resume = checked(sso, browser, at_provider, page_reloaded(browser, posted))
    assert resume["Location"] == "/oidc/resume/"
    page = browser.get(resume["Location"])
    html = page.content.decode()
    assert "Nothing has been saved yet" in html
    assert f'action="{unlink_url(sam.customer_id)}"' in html
    fields = {name: value for name, value in page.context["fields"]}
    assert fields == {key: str(value) for key, value in form.items()}

    done = browser.post(unlink_url(sam.customer_id), fields, follow=True)

    assert "is no longer linked to <bdi>Sam Carter</bdi>" in done.content.decode()
    assert search_ids(browser) == [kim.customer_id]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UNLINK)
    assert entry.reason == 'Other: Caller said: "not mine"\nTicket <4411>'
    # Shown once: a reload finds nothing to send again.
    assert browser.get("/oidc/resume/")["Location"] == "/"


def test_a_form_of_someone_who_lost_access_is_not_sent(
    sso,
    clock,
    interval,
    linked,  # noqa: F811
):
    sam, kim = linked
    browser, at_provider = signed_in(sso, "lou", groups=[LEAD_GROUP])
    sso.person_put("lou", groups=[])

    clock.forward(interval)
    posted = browser.post(unlink_url(sam.customer_id), {"reason": "other", "version": 0})
    assert checked(sso, browser, at_provider, page_reloaded(browser, posted))["Location"] == (
        "/login/"
    )

    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK).exists()
    resumed = browser.get("/oidc/resume/", follow=True)
    assert resumed.redirect_chain[-1][0].startswith("/login/")


def test_a_forged_form_is_refused_before_anything_is_kept(sso, clock, interval):
    sso.person_put("fay", groups=[LEAD_GROUP])
    browser = Client(enforce_csrf_checks=True)
    sso_sign_in(browser, sso, login="fay")

    clock.forward(interval)
    response = browser.post(unlink_url("c-1"), {"reason": "other", "version": 0})

    assert response.status_code == 403
    assert "lookup.sso.post" not in browser.session


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Mode": "cors"},
        {"X-Requested-With": "XMLHttpRequest"},
        {"Accept": "application/json"},
    ],
)
def test_a_script_request_after_the_interval_is_refused_not_redirected(
    sso, clock, interval, headers
):
    browser, _ = signed_in(sso, "sid", groups=[AGENT_GROUP])
    clock.forward(interval)

    for response in (browser.get(PAGE, headers=headers), browser.post("/", headers=headers)):
        assert response.status_code == 401
        assert json.loads(response.content)["error"] == "session_check_required"
    # The next page the person opens goes through the check.
    assert is_check(browser.get(PAGE))


def test_signing_out_needs_no_check(sso, clock, interval):
    browser, _ = signed_in(sso, "ola", groups=[AGENT_GROUP])
    clock.forward(interval)

    assert browser.post("/logout/")["Location"] == "/login/"
    assert browser.get("/")["Location"].startswith("/login/")


def test_password_sessions_are_not_sent_to_the_provider(sso, clock, interval, agent):
    browser = Client()
    browser.post("/login/", {"username": agent.username, "password": "alice.agent-password-1"})
    clock.forward(interval * 10)

    assert browser.get(PAGE).status_code == 200


def test_the_interval_is_the_setting(sso, clock, settings):
    settings.OIDC_SESSION_CHECK_INTERVAL = 60
    browser, _ = signed_in(sso, "ivo", groups=[AGENT_GROUP])

    clock.forward(59)
    assert browser.get(PAGE).status_code == 200
    clock.forward(1)
    assert is_check(browser.get(PAGE))


@pytest.mark.parametrize(("minutes", "starts"), [("0", False), ("-5", False), ("1", True)])
def test_an_interval_under_a_minute_is_refused_at_start(minutes, starts):
    result = load_settings(**SSO_ENV, OIDC_SESSION_CHECK_MINUTES=minutes)

    assert (result.returncode == 0) is starts, result.stderr
    assert ("OIDC_SESSION_CHECK_MINUTES of at least 1" in result.stderr) is not starts
