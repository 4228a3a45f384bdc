"""The top bar's language menu posts here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lookup.languages.choice import language_choose, language_cookie_set, language_supported


@require_POST
@login_required
def language_set(request: HttpRequest) -> HttpResponse:
    """Keep the chosen language on the account and in the cookie, then back to the same page."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("lookup:search")
    response = HttpResponseRedirect(back)
    language = language_supported(code=request.POST.get("language"))
    # Only an offered code is kept; the menu sends nothing else, so anything other was tampered.
    if language is None or language != request.POST.get("language"):
        messages.error(request, _("Choose one of the languages in the menu."))
        return response
    language_choose(user=request.user, language=language)
    language_cookie_set(response=response, language=language)
    return response
