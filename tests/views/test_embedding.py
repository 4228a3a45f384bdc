"""Framing by a helpdesk's side panel: refused by default, allowed to the configured origins only.

The settings decide which headers and cookies the app sends, so each case loads the production
settings afresh in a child process with its environment, and asks for a page there.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/login/", secure=True)
print(json.dumps({
    "status": response.status_code,
    "csp": response.headers.get("Content-Security-Policy", ""),
    "x_frame_options": response.headers.get("X-Frame-Options"),
    "session_samesite": settings.SESSION_COOKIE_SAMESITE,
    "csrf_cookie": str(response.cookies.get("csrftoken", "")),
}))
"""


def run(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-c", PAGE],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "supporttool.settings",
            "DJANGO_ENV_FILE": os.devnull,
            "DJANGO_SECRET_KEY": "embedding-test-key-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": "sqlite:///:memory:",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def page(**env) -> dict:
    result = run(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def directive(csp: str, name: str) -> str:
    return next(part.strip() for part in csp.split(";") if part.strip().startswith(name))


def test_no_site_may_frame_the_tool_by_default():
    answer = page()
    assert answer["status"] == 200
    assert answer["x_frame_options"] == "DENY"
    assert directive(answer["csp"], "frame-ancestors") == "frame-ancestors 'none'"
    assert answer["session_samesite"] == "Strict"


def test_the_configured_helpdesk_may_frame_it_and_keep_a_session():
    answer = page(EMBED_ALLOWED_ORIGINS="https://acme.zendesk.com,https://desk.example.com:8443")
    assert answer["status"] == 200
    # X-Frame-Options cannot name a site, so it is not sent; the policy names exactly these.
    assert answer["x_frame_options"] is None
    assert (
        directive(answer["csp"], "frame-ancestors")
        == "frame-ancestors https://acme.zendesk.com https://desk.example.com:8443"
    )
    # In another site's frame only SameSite=None cookies are sent, and only Secure ones.
    assert answer["session_samesite"] == "None"
    assert "SameSite=None" in answer["csrf_cookie"] and "Secure" in answer["csrf_cookie"]


def test_a_same_site_helpdesk_can_keep_strict_cookies():
    answer = page(
        EMBED_ALLOWED_ORIGINS="https://helpdesk.example.com", SESSION_COOKIE_SAMESITE="Strict"
    )
    assert answer["session_samesite"] == "Strict"
    assert "https://helpdesk.example.com" in directive(answer["csp"], "frame-ancestors")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EMBED_ALLOWED_ORIGINS": "https://acme.zendesk.com/agent"}, "is not an https origin"),
        ({"EMBED_ALLOWED_ORIGINS": "*"}, "is not an https origin"),
        ({"EMBED_ALLOWED_ORIGINS": "http://helpdesk.example.com"}, "is not an https origin"),
        (
            {"EMBED_ALLOWED_ORIGINS": "https://a.example", "DJANGO_SECURE_COOKIES": "false"},
            "SESSION_COOKIE_SAMESITE=None needs secure cookies",
        ),
        ({"SESSION_COOKIE_SAMESITE": "none"}, "must be Strict, Lax or None"),
        ({"ORDER_URL_TEMPLATE": "https://orders.example/"}, "ORDER_URL_TEMPLATE"),
        ({"ORDER_URL_TEMPLATE": "javascript:alert({order_id})"}, "ORDER_URL_TEMPLATE"),
        ({"DJANGO_TIME_ZONE": "Mars/Olympus"}, "is not an IANA time zone"),
    ],
)
def test_settings_that_cannot_work_are_refused_at_start(env, message):
    result = run(**env)
    assert result.returncode != 0
    assert message in result.stderr
