"""Claims as various identity providers shape them; what the test provider cannot send."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation

from lookup.access import roles
from lookup.sso.accounts import SsoLoginRefused, account_sign_in
from lookup.sso.claims import RoleGroups, claims_roles, id_token_verify

GROUPS = RoleGroups(
    claim="groups",
    agent=frozenset({"Support Agents"}),
    lead=frozenset({"9f1c2a7e-0000-4000-8000-000000000002"}),  # Azure AD sends object ids
    admin=frozenset({"/support/admins"}),  # Keycloak with "full group path"
)


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        (["Support Agents"], [roles.SUPPORT_AGENT]),
        ("Support Agents", [roles.SUPPORT_AGENT]),  # a lone group sent as a string
        (["9f1c2a7e-0000-4000-8000-000000000002"], [roles.SUPPORT_LEAD]),
        (["/support/admins", "Support Agents"], [roles.SUPPORT_AGENT, roles.ADMIN]),
        (["support agents"], []),  # names are matched exactly, as the provider spells them
        ("Support Agents,/support/admins", []),  # a string is one group, never split
        (None, []),
        ([{"id": "Support Agents"}], []),
    ],
)
def test_groups_claim_shapes(groups, expected):
    assert claims_roles(claims={"groups": groups}, groups=GROUPS) == expected


TOKEN = {"iss": "https://idp.example.com", "aud": "tool", "exp": 2_000_000_000, "sub": "u-1"}


@pytest.mark.parametrize(
    "claims",
    [
        TOKEN,
        {**TOKEN, "aud": ["tool"]},
        {**TOKEN, "aud": ["tool", "graph"], "azp": "tool"},
    ],
)
def test_id_tokens_for_this_tool_are_accepted(claims):
    id_token_verify(claims=claims, issuer="https://idp.example.com", client_id="tool")


@pytest.mark.parametrize(
    ("claims", "problem"),
    [
        ({**TOKEN, "iss": "https://idp.example.com/"}, "issuer"),
        ({**TOKEN, "aud": "another-app"}, "audience"),
        ({**TOKEN, "aud": ["tool", "graph"], "azp": "graph"}, "several audiences"),
        ({k: v for k, v in TOKEN.items() if k != "exp"}, "expiry"),
        ({**TOKEN, "sub": ""}, "subject"),
    ],
)
def test_id_tokens_meant_for_others_are_refused(claims, problem):
    with pytest.raises(SuspiciousOperation, match=problem):
        id_token_verify(claims=claims, issuer="https://idp.example.com", client_id="tool")


@pytest.mark.django_db
def test_an_azure_groups_overage_is_refused_without_deactivating_anyone(settings):
    settings.OIDC_AGENT_GROUPS = ["Support Agents"]
    agent = get_user_model().objects.create_user("avery@corp.example")
    overage = {
        "preferred_username": "avery@corp.example",
        "_claim_names": {"groups": "src1"},
        "_claim_sources": {"src1": {"endpoint": "https://graph.microsoft.com/..."}},
    }

    with pytest.raises(SsoLoginRefused, match="overage") as refusal:
        account_sign_in(claims=overage)

    assert "did not send your groups" in refusal.value.message
    agent.refresh_from_db()
    assert agent.is_active


@pytest.mark.django_db
def test_two_accounts_differing_only_in_letter_case_are_refused(settings):
    settings.OIDC_AGENT_GROUPS = ["Support Agents"]
    users = get_user_model().objects
    users.create_user("Jo.Smith")
    users.create_user("jo.smith")

    with pytest.raises(SsoLoginRefused, match="several accounts"):
        account_sign_in(claims={"preferred_username": "JO.SMITH", "groups": ["Support Agents"]})
