"""The login page with SSO on or off, password login on or off, and settings that refuse a
half-configured single sign-on."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from lookup.models import AuditEntry
from tests.sso.conftest import sso_sign_in
from tests.sso.provider import AGENT_GROUP, ROOT

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "alice.agent-password-1"  # tests/conftest.py's personas


@pytest.fixture
def password_login_off(sso, settings):
    """Production with SSO only, as docs/sso.md recommends once SSO works."""
    settings.PASSWORD_LOGIN_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = ["lookup.sso.backend.RoleMappingOIDCBackend"]
    return sso


def test_without_sso_the_login_page_is_the_password_form_and_sso_urls_do_not_exist(agent):
    page = Client().get("/login/").content.decode()

    assert 'name="password"' in page and "Sign in with" not in page
    assert Client().get("/oidc/authenticate/").status_code == 404
    assert Client().get("/oidc/callback/?code=x&state=y").status_code == 404
    browser = Client()
    browser.post("/login/", {"username": agent.username, "password": PASSWORD})
    assert browser.get("/").status_code == 200


def test_with_sso_and_passwords_the_page_offers_both(sso, settings, agent):
    settings.OIDC_PROVIDER_NAME = "Contoso account"

    page = Client().get("/login/", {"next": "/customers/c-1/?page=2"}).content.decode()

    assert (
        '<a class="button" href="/oidc/authenticate/?next=/customers/c-1/%3Fpage%3D2">'
        "Sign in with Contoso account</a>" in page
    )
    assert 'name="password"' in page
    browser = Client()
    response = browser.post("/login/", {"username": agent.username, "password": PASSWORD})
    assert response.status_code == 302


def test_with_password_login_off_the_page_offers_only_sso(password_login_off):
    page = Client().get("/login/").content.decode()

    assert "Sign in with your company account" in page
    assert 'name="password"' not in page


def test_with_password_login_off_a_password_post_is_refused(password_login_off, agent):
    browser = Client()

    response = browser.post("/login/", {"username": agent.username, "password": PASSWORD})

    assert response.status_code == 403
    assert "Password sign-in is turned off" in response.content.decode()
    assert browser.get("/").status_code == 302  # still signed out


def test_with_password_login_off_the_django_admin_takes_no_password_either(
    password_login_off, admin_user
):
    browser = Client()

    response = browser.post(
        "/admin/login/?next=/admin/",
        {"username": admin_user.username, "password": "ada.admin-password-1"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"
    assert browser.get("/admin/").status_code == 302  # to the login page, not the admin


def test_with_password_login_off_sessions_opened_with_a_password_end(settings, agent):
    browser = Client()
    browser.post("/login/", {"username": agent.username, "password": PASSWORD})
    assert browser.get("/").status_code == 200

    settings.AUTHENTICATION_BACKENDS = ["lookup.sso.backend.RoleMappingOIDCBackend"]

    assert browser.get("/").status_code == 302


def test_with_password_login_off_sso_signs_in(password_login_off):
    password_login_off.person_put("olive", groups=[AGENT_GROUP])
    browser = Client()

    sso_sign_in(browser, password_login_off, login="olive")

    assert browser.get("/").status_code == 200


def test_break_glass_a_superuser_made_with_manage_py_while_passwords_are_briefly_on(
    password_login_off, settings, monkeypatch
):
    # 1. From a shell in the production environment (docs/sso.md, "Break-glass access").
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-break-glass-passphrase")
    call_command("createsuperuser", "--noinput", username="break.glass", email="ops@example.com")
    browser = Client()
    credentials = {"username": "break.glass", "password": "a-long-break-glass-passphrase"}
    assert browser.post("/login/", credentials).status_code == 403

    # 2. The web app restarted with PASSWORD_LOGIN_ENABLED=true.
    settings.PASSWORD_LOGIN_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        "lookup.sso.backend.RoleMappingOIDCBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    browser.post("/login/?next=/admin/", credentials)
    assert browser.get("/admin/").status_code == 200
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN)
    assert (entry.actor, entry.reason) == ("break.glass", "password; roles: ")

    # 3. Back to SSO only: the break-glass session ends at once.
    settings.PASSWORD_LOGIN_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = ["lookup.sso.backend.RoleMappingOIDCBackend"]
    assert browser.get("/admin/").status_code == 302


def test_someone_signed_in_without_staff_status_gets_403_from_the_admin_not_a_loop(
    agent_client,
):
    assert agent_client.get("/admin/", follow=True).status_code == 403


# --- settings --------------------------------------------------------------------------------

SSO_ENV = {
    "OIDC_ENABLED": "true",
    "OIDC_RP_CLIENT_ID": "support-tool",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_ISSUER": "https://idp.example.com",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.com/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.com/token",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.com/jwks",
    "OIDC_AGENT_GROUPS": "support-agents",
}


def load_settings(**env) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OIDC_", "PASSWORD_"))
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from supporttool import settings; print(settings.AUTHENTICATION_BACKENDS)",
        ],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_ENV_FILE": os.devnull,
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "support.example.com",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_password_login_cannot_be_turned_off_without_sso():
    result = load_settings(PASSWORD_LOGIN_ENABLED="false")

    assert result.returncode != 0
    assert "PASSWORD_LOGIN_ENABLED=false needs OIDC_ENABLED=true" in result.stderr


def test_sso_refuses_to_start_half_configured():
    env = {**SSO_ENV, "OIDC_RP_CLIENT_SECRET": "", "OIDC_AGENT_GROUPS": ""}

    result = load_settings(**env)

    assert result.returncode != 0
    assert "OIDC_RP_CLIENT_SECRET" in result.stderr
    assert "one of OIDC_AGENT_GROUPS, OIDC_LEAD_GROUPS, OIDC_ADMIN_GROUPS" in result.stderr


def test_sso_only_production_has_no_password_backend():
    result = load_settings(**SSO_ENV, PASSWORD_LOGIN_ENABLED="false")

    assert result.returncode == 0, result.stderr
    # Neither the lockout backend (it refuses locked accounts and addresses) nor the
    # permissions backend (it loads permissions) checks a password.
    assert result.stdout.strip() == (
        "['lookup.access.lockout.LockoutBackend', "
        "'lookup.access.permissions.RolePermissionsBackend', "
        "'lookup.sso.backend.RoleMappingOIDCBackend']"
    )
