"""The test identity provider (oidc_provider.mjs, a real OpenID Connect provider on Node) and a
scripted walk through its sign-in, as a browser would make it."""

import json
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
PACKAGE = ROOT / "node_modules" / "oidc-provider"

CLIENT_ID = "phone-lookup-support-tool"
CLIENT_SECRET = "test-client-secret-0123456789abcdef"

# The company's directory groups the tool's roles come from, as an operator would configure them.
AGENT_GROUP = "support-agents"
LEAD_GROUP = "support-leads"
ADMIN_GROUP = "support-tool-admins"


@dataclass
class IdentityProvider:
    issuer: str
    users_file: Path
    discovery: dict

    def person_put(self, login: str, *, groups: list[str], **claims) -> None:
        """Put someone in the directory (or change them): the next sign-in sees it."""
        people = json.loads(self.users_file.read_text())
        people[login] = {
            "preferred_username": login,
            "email": f"{login}@example.com",
            "email_verified": True,
            "groups": groups,
            **claims,
        }
        self.users_file.write_text(json.dumps(people))

    def tool_settings(self) -> dict:
        """The tool's OIDC_* settings for this provider, as docs/sso.md tells an operator."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_ISSUER": self.discovery["issuer"],
            "OIDC_OP_AUTHORIZATION_ENDPOINT": self.discovery["authorization_endpoint"],
            "OIDC_OP_TOKEN_ENDPOINT": self.discovery["token_endpoint"],
            "OIDC_OP_USER_ENDPOINT": self.discovery["userinfo_endpoint"],
            "OIDC_OP_JWKS_ENDPOINT": self.discovery["jwks_uri"],
            "OIDC_RP_SCOPES": "openid email profile groups",
            "OIDC_AGENT_GROUPS": [AGENT_GROUP],
            "OIDC_LEAD_GROUPS": [LEAD_GROUP],
            "OIDC_ADMIN_GROUPS": [ADMIN_GROUP],
            "AUTHENTICATION_BACKENDS": [
                "lookup.sso.backend.RoleMappingOIDCBackend",
                "django.contrib.auth.backends.ModelBackend",
            ],
        }

    def sign_in(
        self,
        authorize_url: str,
        *,
        login: str,
        cancel: bool = False,
        browser: requests.Session | None = None,
    ) -> str:
        """Follow the tool's redirect to the provider, sign in as `login` (or cancel) and return
        the URL the provider sends the browser back to (the tool's callback). Pass `browser` to
        keep the provider's own session cookie, as a browser does, for a later silent check."""
        browser = browser or requests.Session()
        url = authorize_url
        for _ in range(10):
            response = browser.get(url, allow_redirects=False, timeout=5)
            if response.status_code == 200:
                # The sign-in page: post its form, like a person pressing the button.
                step = "abort" if cancel else "login"
                action = re.search(rf'action="([^"]+/{step})"', response.text)
                assert action, response.text
                response = browser.post(
                    urljoin(url, action.group(1)),
                    data={} if cancel else {"login": login},
                    allow_redirects=False,
                    timeout=5,
                )
            assert response.status_code in (302, 303), (response.status_code, response.text)
            url = urljoin(url, response.headers["Location"])
            if not url.startswith(self.issuer):
                return url
        raise AssertionError("the provider kept redirecting")

    def answer_silently(self, authorize_url: str, *, browser: requests.Session) -> str:
        """The provider's answer to a prompt=none request: the URL it sends the browser back to,
        having shown no page (a page here would be an interruption the person sees)."""
        url = authorize_url
        for _ in range(10):
            response = browser.get(url, allow_redirects=False, timeout=5)
            assert response.status_code in (302, 303), (response.status_code, response.text)
            url = urljoin(url, response.headers["Location"])
            if not url.startswith(self.issuer):
                return url
        raise AssertionError("the provider kept redirecting")


@contextmanager
def identity_provider_running(
    *, redirect_uris: list[str], workdir: Path
) -> Iterator[IdentityProvider]:
    """Start the provider on a free loopback port for `redirect_uris`; missing npm is a failure."""
    if not PACKAGE.exists():
        pytest.fail("oidc-provider is not installed: run `npm ci` (make test does it).")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    users_file = workdir / "people.json"
    users_file.write_text("{}")
    config_file = workdir / "provider.json"
    config_file.write_text(
        json.dumps(
            {
                "issuer": issuer,
                "port": port,
                "usersFile": str(users_file),
                "client": {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": redirect_uris,
                },
            }
        )
    )
    log = (workdir / "provider.log").open("w")
    process = subprocess.Popen(
        ["node", str(SCRIPT), str(config_file)], stdout=subprocess.PIPE, stderr=log, text=True
    )
    try:
        deadline = time.monotonic() + 20
        while process.stdout.readline().strip() != "ready":
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the test identity provider did not start: see {log.name}")
        discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
        yield IdentityProvider(issuer=issuer, users_file=users_file, discovery=discovery)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
