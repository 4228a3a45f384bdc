"""Reading the identity provider's claims: who signed in, which roles their groups grant, and
whether an ID token was meant for this tool. Pure functions, no database, no HTTP."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import SuspiciousOperation

from lookup.access import roles


@dataclass(frozen=True)
class RoleGroups:
    """The identity provider's group names that grant each role (OIDC_*_GROUPS)."""

    claim: str
    agent: frozenset[str]
    lead: frozenset[str]
    admin: frozenset[str]

    @classmethod
    def from_settings(cls) -> "RoleGroups":
        return cls(
            claim=settings.OIDC_GROUPS_CLAIM,
            agent=frozenset(settings.OIDC_AGENT_GROUPS),
            lead=frozenset(settings.OIDC_LEAD_GROUPS),
            admin=frozenset(settings.OIDC_ADMIN_GROUPS),
        )


def claims_groups(*, claims: Mapping, claim: str) -> frozenset[str]:
    """The groups the provider listed under `claim`.

    Providers send a list; some send a lone group as a plain string. Group names may contain
    spaces and commas, so a string is one group, never split.
    """
    value = claims.get(claim)
    if isinstance(value, str):
        return frozenset({value}) if value else frozenset()
    if isinstance(value, list | tuple):
        return frozenset(item for item in value if isinstance(item, str) and item)
    return frozenset()


def claims_roles(*, claims: Mapping, groups: RoleGroups) -> list[str]:
    """The tool's roles the claims grant, in the order roles.py lists them; several may apply."""
    member_of = claims_groups(claims=claims, claim=groups.claim)
    granted = [
        (roles.SUPPORT_AGENT, groups.agent),
        (roles.SUPPORT_LEAD, groups.lead),
        (roles.ADMIN, groups.admin),
    ]
    return [role for role, names in granted if member_of & names]


def claims_username(*, claims: Mapping, claim: str) -> str:
    """The account name from `claim`, or "" when the provider did not send one."""
    value = claims.get(claim)
    return value.strip() if isinstance(value, str) else ""


def claims_groups_overage(*, claims: Mapping, claim: str) -> bool:
    """Whether the provider left the groups out for being too many (Azure AD's "overage").

    Azure AD then sends a `_claim_names` reference (or `hasgroups`) instead of the list; reading
    that as "no groups" would deactivate people who are in fact in the right group.
    """
    referenced = claims.get("_claim_names")
    return bool(claims.get("hasgroups")) or (
        isinstance(referenced, Mapping) and claim in referenced
    )


def id_token_verify(*, claims: Mapping, issuer: str, client_id: str) -> None:
    """Refuse an ID token not issued by our provider for this tool (OpenID Connect Core 3.1.3.7).

    mozilla-django-oidc checks the signature, expiry and nonce but leaves issuer and audience to
    the application; without them a token another application received from the same provider
    would sign someone in here.
    """
    if claims.get("iss") != issuer:
        raise SuspiciousOperation(
            f"ID token issuer {claims.get('iss')!r} is not OIDC_OP_ISSUER {issuer!r}"
        )
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    if client_id not in audiences:
        raise SuspiciousOperation(f"ID token audience {audience!r} does not include this tool")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise SuspiciousOperation("ID token has several audiences and was not issued to this tool")
    if "exp" not in claims:
        raise SuspiciousOperation("ID token has no expiry")
    if not claims.get("sub"):
        raise SuspiciousOperation("ID token names no subject")
