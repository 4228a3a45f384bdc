"""The tool's account behind an SSO sign-in.

The identity provider is the source of truth at each sign-in: the account is created or updated
from the claims (name, email) and gets exactly the roles its groups grant; someone whose groups
grant no role is refused and their account deactivated, which also ends their other sessions.
Groups that are not one of the tool's roles are left as an admin set them.
"""

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext

from lookup.access import roles
from lookup.languages.choice import language_default_from_claims
from lookup.sso.claims import (
    RoleGroups,
    claims_groups,
    claims_groups_overage,
    claims_roles,
    claims_username,
)

ROLE_NAMES = (roles.SUPPORT_AGENT, roles.SUPPORT_LEAD, roles.ADMIN)

# Claims copied onto the account at each sign-in, when the provider sends them.
_PROFILE_CLAIMS = (("email", "email"), ("first_name", "given_name"), ("last_name", "family_name"))


class SsoLoginRefused(Exception):
    """A sign-in the tool turns down: `message` is for the person, `reason` for the audit trail."""

    def __init__(
        self,
        *,
        reason: str,
        message: str,
        username: str = "",
        user: AbstractBaseUser | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.username = username
        self.user = user


def account_sign_in(*, claims: Mapping) -> AbstractBaseUser:
    """The active account for these claims, created or updated; SsoLoginRefused otherwise."""
    username_claim = settings.OIDC_USERNAME_CLAIM
    username = claims_username(claims=claims, claim=username_claim)
    if not username:
        raise SsoLoginRefused(
            reason=f"the identity provider sent no {username_claim!r} claim",
            message=gettext(
                "The identity provider did not say who you are. "
                "Ask IT to check the support tool's single sign-on set-up."
            ),
        )
    user_model = get_user_model()
    max_length = user_model._meta.get_field(user_model.USERNAME_FIELD).max_length
    if len(username) > max_length:
        raise SsoLoginRefused(
            reason=f"{username_claim!r} is longer than {max_length} characters",
            message=gettext(
                "Your account name is too long for the support tool. "
                "Ask IT to check the support tool's single sign-on set-up."
            ),
            username=username[:max_length],
        )
    groups = RoleGroups.from_settings()
    granted = claims_roles(claims=claims, groups=groups)
    if not granted and claims_groups_overage(claims=claims, claim=groups.claim):
        # The provider left the groups out: we cannot tell, so refuse without deactivating.
        raise SsoLoginRefused(
            reason=f"the identity provider sent a groups overage reference instead of "
            f"{groups.claim!r}",
            message=gettext(
                "The identity provider did not send your groups. "
                "Ask IT to check the support tool's single sign-on set-up."
            ),
            username=username,
        )

    with transaction.atomic():
        matches = list(
            user_model.objects.select_for_update().filter(
                **{f"{user_model.USERNAME_FIELD}__iexact": username}
            )[:2]
        )
        if len(matches) > 1:
            refusal = SsoLoginRefused(
                reason=f"several accounts are named {username!r} (letter case aside)",
                message=gettext(
                    "More than one account in the support tool matches %(username)s. "
                    "Ask an admin of the support tool to remove the duplicate."
                )
                % {"username": username},
                username=username,
            )
        elif not granted:
            user = matches[0] if matches else None
            if user is not None:
                _account_deactivate(user)
            received = sorted(claims_groups(claims=claims, claim=groups.claim))
            refusal = SsoLoginRefused(
                reason=f"no group in {groups.claim!r} grants a role (received: "
                f"{', '.join(received)[:300] or 'none'})"
                + ("; account deactivated" if user is not None else ""),
                message=gettext(
                    "You are signed in at the identity provider as %(username)s, but none of "
                    "your groups gives access to the support tool, so you cannot use it. Ask "
                    "your team lead or IT to add you to the support tool's group, then sign in "
                    "again."
                )
                % {"username": username},
                username=username,
                user=user,
            )
        else:
            user = matches[0] if matches else user_model.objects.create_user(username)
            _account_update(user, claims=claims, granted=granted)
            language_default_from_claims(user=user, claims=claims)
            return user
    # Raised outside the transaction, so the deactivation is kept.
    raise refusal


def account_roles(*, user: AbstractBaseUser) -> list[str]:
    """The tool's roles the account holds, in the order roles.py lists them."""
    held = set(user.groups.filter(name__in=ROLE_NAMES).values_list("name", flat=True))
    return [role for role in ROLE_NAMES if role in held]


def _account_update(user: AbstractBaseUser, *, claims: Mapping, granted: list[str]) -> None:
    user.is_active = True
    for field, claim in _PROFILE_CLAIMS:
        value = claims.get(claim)
        if isinstance(value, str):
            setattr(user, field, value.strip()[: user._meta.get_field(field).max_length])
    # The Django admin needs staff status; a superuser keeps it whatever the groups say.
    user.is_staff = roles.ADMIN in granted or user.is_superuser
    user.save()
    _roles_set(user, granted=granted)


def _account_deactivate(user: AbstractBaseUser) -> None:
    user.is_active = False
    user.is_staff = user.is_superuser
    user.save(update_fields=["is_active", "is_staff"])
    _roles_set(user, granted=[])


def _roles_set(user: AbstractBaseUser, *, granted: list[str]) -> None:
    role_groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_NAMES)}
    missing = set(ROLE_NAMES) - set(role_groups)
    if missing:
        # A group created here would carry no permission: better say what is wrong.
        raise ImproperlyConfigured(
            f"Roles {sorted(missing)} are missing: run `manage.py migrate` (lookup 0002_roles)."
        )
    user.groups.remove(*(group for name, group in role_groups.items() if name not in granted))
    user.groups.add(*(role_groups[name] for name in granted))
