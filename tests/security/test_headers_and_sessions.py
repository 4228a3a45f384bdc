"""Response headers (CSP, HSTS, no-store) and the two session timeouts."""

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lookup.domain import LinkChange
from lookup.middleware import SESSION_RENEWED_AT, SESSION_SIGNED_IN_AT
from tests import factories as f
from tests.api.conftest import UK_MOBILE
from tests.lookups import store, tombstone

ROOT = Path(__file__).resolve().parent.parent.parent
DESK = "+442079460018"


@pytest.fixture
def sam_and_kim(moto_table):
    sam, kim = f.profile(name="Sam"), f.profile(name="Kim")
    store(
        moto_table,
        profiles=[sam, kim],
        links=[f.order_link(sam.customer_id, DESK), f.order_link(kim.customer_id, DESK)],
    )
    tombstone(
        customer_id=kim.customer_id, phone=DESK, change=LinkChange(at=f.NOW, by="x", reason="y")
    )
    return sam.customer_id, kim.customer_id


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_every_page_has_a_strict_content_security_policy(agent_client, sam_and_kim):
    for url in [reverse("login"), reverse("lookup:search"), f"/customers/{sam_and_kim[0]}/"]:
        directives = csp_directives(agent_client.get(url))
        assert directives["default-src"] == "'none'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in str(directives) and "unsafe-eval" not in str(directives)


def test_no_template_needs_inline_script_or_style():
    # What the policy would block: a style attribute, a <style> element, an inline <script>,
    # an on* handler. (JSON data in <script type="application/json"> is not run, so allowed.)
    forbidden = re.compile(
        r"""\sstyle=|<style|\son[a-z]+=|<script(?![^>]*\ssrc=)(?![^>]*application/json)""", re.I
    )
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if forbidden.search(path.read_text())
    ]
    assert offenders == []


def test_pages_with_customer_data_are_never_stored(
    agent_client, lead_client, admin_client_, sam_and_kim, helpdesk
):
    sam, kim = sam_and_kim
    pages = [
        (agent_client, reverse("lookup:search") + f"?phone={DESK}&country=GB"),
        (agent_client, reverse("lookup:customer", args=[sam])),
        (lead_client, reverse("lookup:unlink", args=[sam, DESK])),
        (lead_client, reverse("lookup:restore", args=[kim, DESK])),
        (admin_client_, reverse("admin:lookup_auditentry_changelist")),
        (admin_client_, reverse("admin:lookup_auditentry_export")),
    ]
    for browser, url in pages:
        response = browser.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    api = Client().get(
        "/api/v1/customers", {"phone": UK_MOBILE, "region": "GB"}, headers=helpdesk.headers
    )
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]


def test_production_redirects_to_https_and_sends_hsts(db, settings):
    settings.SECURE_SSL_REDIRECT = True  # the production default (test settings speak HTTP)
    plain = Client().get("/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/login/"
    secure = Client().get("/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_trusted_proxy_says_the_request_was_https(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = Client().get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200


# --- sessions ------------------------------------------------------------------------------------


def session_of(browser: Client) -> Session:
    return Session.objects.get(session_key=browser.cookies["sessionid"].value)


def sign_in(username: str) -> Client:
    browser = Client()
    response = browser.post(
        reverse("login"), {"username": username, "password": f"{username}-password-1"}
    )
    assert response.status_code == 302
    return browser


def test_activity_keeps_the_session_alive_for_30_more_minutes(agent):
    browser = sign_in("alice.agent")
    session = browser.session
    session[SESSION_RENEWED_AT] = time.time() - 61  # the last renewal, a minute ago
    session.save()
    stored = session_of(browser)
    stored.expire_date = timezone.now() + timedelta(minutes=1)
    stored.save()
    assert browser.get(reverse("lookup:search")).status_code == 200
    remaining = session_of(browser).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_the_session_is_renewed_at_most_once_a_minute(agent):
    browser = sign_in("alice.agent")
    browser.get(reverse("lookup:search"))
    renewed = session_of(browser).expire_date
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(reverse("lookup:search")).status_code == 200
    assert session_of(browser).expire_date == renewed
    assert not [
        q for q in queries.captured_queries if "UPDATE" in q["sql"] and "session" in q["sql"]
    ]


def test_a_session_idle_for_30_minutes_is_over(agent):
    browser = sign_in("alice.agent")
    session = session_of(browser)
    session.expire_date = timezone.now() - timedelta(seconds=1)  # 30 minutes without a request
    session.save()
    response = browser.get(reverse("lookup:search"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_busy_session_still_ends_12_hours_after_sign_in(agent):
    browser = sign_in("alice.agent")
    session = browser.session
    assert time.time() - session[SESSION_SIGNED_IN_AT] < 60
    session[SESSION_SIGNED_IN_AT] = time.time() - 12 * 3600 + 60
    session.save()
    assert browser.get(reverse("lookup:search")).status_code == 200  # 11h59 in: still on

    session = browser.session
    session[SESSION_SIGNED_IN_AT] = time.time() - 12 * 3600 - 1
    session.save()
    response = browser.get(reverse("lookup:search") + "?phone=1")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/%3Fphone%3D1"
    login_page = browser.get(response["Location"]).content.decode()
    assert "sessions last at most 12 hours" in login_page
    assert browser.get(reverse("lookup:search")).status_code == 302  # signed out for good


def test_the_absolute_lifetime_is_a_setting(agent, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT = 3600
    browser = sign_in("alice.agent")
    session = browser.session
    session[SESSION_SIGNED_IN_AT] = time.time() - 3601
    session.save()
    assert browser.get(reverse("lookup:search")).status_code == 302
