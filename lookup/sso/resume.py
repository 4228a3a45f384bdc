"""A form posted while the session's check was due: kept, then offered back once the check
passes (lookup.sso.middleware), so nothing typed is lost and nothing is sent unseen."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import escape_leading_slashes
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

SESSION_POST = "lookup.sso.post"
# The token checked when the form was first posted; the page sends a fresh one.
_NOT_KEPT = frozenset({"csrfmiddlewaretoken"})


def post_keep(*, request: HttpRequest) -> HttpResponse:
    """Keep the posted fields for after the check; a page that goes on to it at once."""
    request.session[SESSION_POST] = {
        "path": escape_leading_slashes(request.get_full_path()),
        "fields": [
            [name, value]
            for name, values in request.POST.lists()
            if name not in _NOT_KEPT
            for value in values
        ],
    }
    resume_url = reverse("sso_resume")
    response = render(request, "registration/sso_checking.html", {"continue_url": resume_url})
    # Followed like a link, not as the form's redirect: the check may then leave the site.
    response["Refresh"] = f"0;url={resume_url}"
    return response


@never_cache
@require_safe
def post_resume(request: HttpRequest) -> HttpResponse:
    """The kept form, to send again now the check has passed (once: a reload finds none)."""
    kept = request.session.pop(SESSION_POST, None) if request.user.is_authenticated else None
    if not isinstance(kept, dict):
        return redirect("lookup:search")
    return render(
        request,
        "registration/sso_resume.html",
        {
            "action": kept["path"],
            "fields": kept["fields"],
            "sso_provider_name": settings.OIDC_PROVIDER_NAME,
        },
    )
