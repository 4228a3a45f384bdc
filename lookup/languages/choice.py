"""Which language a person's pages speak: their choice, else the browser's, else LANGUAGE_CODE.

Django's LocaleMiddleware reads the language cookie, then Accept-Language, then LANGUAGE_CODE.
The choice is kept on the account (`LanguagePreference`) and written into the cookie at each
sign-in, so a page reads no table to know its language: a page's SQL stays what it was.
"""

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin

from lookup.models import LanguagePreference

# What a sign-in decided for the response: a language code, or "" to drop the cookie.
_SIGN_IN_LANGUAGE = "_lookup_sign_in_language"


def language_supported(*, code: object) -> str | None:
    """The desk's language a code names ("pt-BR", "de_DE", "fr"), or None."""
    if not isinstance(code, str) or not code.strip():
        return None
    try:
        return translation.get_supported_language_variant(code.strip().replace("_", "-").lower())
    except LookupError:
        return None


def language_choose(*, user: AbstractBaseUser, language: str) -> None:
    """Keep `language` as the person's choice."""
    LanguagePreference.objects.update_or_create(user=user, defaults={"language": language})


def language_default_from_claims(*, user: AbstractBaseUser, claims: Mapping) -> None:
    """The identity provider's `locale` claim, on an account that has no language yet (its
    first single sign-on): never over a choice the person made since."""
    language = language_supported(code=claims.get("locale"))
    if language:
        LanguagePreference.objects.get_or_create(user=user, defaults={"language": language})


def language_cookie_set(*, response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@receiver(user_logged_in, dispatch_uid="lookup.languages.sign_in")
def _language_of_account(sender, request: HttpRequest | None, user, **kwargs) -> None:
    # Whoever signed in before on this browser must not choose for this person: an account
    # without a choice drops the cookie and gets its browser's language.
    if request is None:
        return
    preference = LanguagePreference.objects.filter(user=user).first()
    setattr(request, _SIGN_IN_LANGUAGE, preference.language if preference else "")


class SignInLanguageMiddleware(MiddlewareMixin):
    """Writes the language a sign-in found on the account into the sign-in's response."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        language = getattr(request, _SIGN_IN_LANGUAGE, None)
        if language:
            language_cookie_set(response=response, language=language)
        elif language == "" and settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            response.delete_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
