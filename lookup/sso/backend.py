"""The authentication backend: mozilla-django-oidc's code flow, with the tool's account rules."""

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext_lazy
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from lookup.sso.accounts import SsoLoginRefused, account_sign_in
from lookup.sso.claims import id_token_verify

_UNVERIFIED = gettext_lazy(
    "The identity provider's answer could not be verified, so you were not signed in. "
    "Try again; if it keeps happening, tell IT."
)


class RoleMappingOIDCBackend(OIDCAuthenticationBackend):
    """Signs people in through the identity provider and gives them the roles its groups grant.

    Refusals are raised as SsoLoginRefused (not returned as None, as the library does) so the
    callback can tell the person why and write the reason to the audit trail.
    """

    def verify_token(self, token: str, **kwargs) -> dict:
        payload = super().verify_token(token, **kwargs)
        id_token_verify(
            claims=payload, issuer=settings.OIDC_OP_ISSUER, client_id=self.OIDC_RP_CLIENT_ID
        )
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: Mapping) -> dict:
        """The ID token's claims, completed by the userinfo endpoint's when one is configured.

        Some providers put the groups only in the ID token (Azure AD), others only behind the
        userinfo endpoint (Okta's default): reading both serves either.
        """
        if not self.OIDC_OP_USER_ENDPOINT:
            return dict(payload)
        userinfo = super().get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core 5.3.2: userinfo about anyone else must not be used.
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        return {**payload, **userinfo}

    def get_or_create_user(self, access_token: str, id_token: str, payload: Mapping):
        try:
            claims = self.get_userinfo(access_token, id_token, payload)
        except SuspiciousOperation as exc:
            raise SsoLoginRefused(reason=str(exc), message=_UNVERIFIED) from exc
        return account_sign_in(claims=claims)

    def get_user(self, user_id) -> AbstractBaseUser | None:
        # The library's version skips the is_active check Django's ModelBackend makes, which
        # would keep a deactivated person's open sessions working.
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
