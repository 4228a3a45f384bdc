"""Single sign-on tests run the whole code flow against a real OpenID Connect provider (Node's
oidc-provider) on a loopback port: the tool's redirect, the provider's sign-in, the code
exchange at its token endpoint, the JWKS signature check and the userinfo call."""

from urllib.parse import urlencode, urlsplit

import pytest
import requests
from django.test import Client

from tests.sso.provider import IdentityProvider, identity_provider_running

CALLBACK = "http://testserver/oidc/callback/"


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory) -> IdentityProvider:
    with identity_provider_running(
        redirect_uris=[CALLBACK], workdir=tmp_path_factory.mktemp("identity-provider")
    ) as provider:
        yield provider


@pytest.fixture
def sso(settings, identity_provider) -> IdentityProvider:
    """The tool configured for the test provider, password login still on."""
    for name, value in identity_provider.tool_settings().items():
        setattr(settings, name, value)
    return identity_provider


def sso_start(client: Client, *, next_url: str = "") -> str:
    """Press "Sign in with …": the URL of the provider the tool redirects to."""
    response = client.get(
        "/oidc/authenticate/" + (f"?{urlencode({'next': next_url})}" if next_url else "")
    )
    assert response.status_code == 302, response
    return response["Location"]


def sso_return(client: Client, url: str):
    """The browser arriving back at the tool from the provider (and taking the same-site hop
    when the tool asks for it, as a browser does)."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK, url
    response = client.get(f"{parts.path}?{parts.query}")
    if response.status_code == 200 and response.has_header("Refresh"):
        response = client.get(response["Refresh"].removeprefix("0;url="))
    return response


def sso_sign_in(
    client: Client,
    provider: IdentityProvider,
    *,
    login: str,
    next_url: str = "",
    provider_browser: requests.Session | None = None,
):
    """The whole round trip; returns the tool's answer to the provider's redirect."""
    back = provider.sign_in(
        sso_start(client, next_url=next_url), login=login, browser=provider_browser
    )
    return sso_return(client, back)
