"""`api_view`: the one decorator of every API view, composing the API's guards in their order.

Always answered in JSON: for a view with a scope, an address past its wrong-key limit (429),
then for any view a wrong method (405), then no or unknown key (401, counted against the address)
and a key without the scope (403, audited), then the client's call limit (429). A DynamoDB
outage is the 503 of `lookup.middleware.DirectoryUnavailableMiddleware`, like a page's. Views
then only validate their input, call one function and respond.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from lookup.access.answers import api_error
from lookup.access.api_keys import api_client_authenticate, api_key_refusal
from lookup.access.identity import actor_name
from lookup.access.rate_limits import (
    API_CALLS,
    api_key_failure_count,
    api_key_failures_refusal,
    rate_limit_refusal,
)
from lookup.logs import request_context_user


def api_view(
    *, methods: tuple[str, ...], scope: str | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Wrap an API view: method, key and scope checks, rate limits, JSON errors, CSRF exemption.

    With a `scope` the view is called with the authenticated client as `client=`; without one
    (public endpoints) no key is read and nothing is counted.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return _api_call(
                view=view, methods=methods, scope=scope, request=request, args=args, kwargs=kwargs
            )

        # Keys, not cookies, authenticate these calls, so there is no CSRF to guard against.
        return csrf_exempt(wrapper)

    return decorate


# Outside the wrapper, so that `make mutants` (which leaves decorated functions alone) mutates it.
def _api_call(
    *,
    view: Callable[..., HttpResponse],
    methods: tuple[str, ...],
    scope: str | None,
    request: HttpRequest,
    args: tuple,
    kwargs: dict,
) -> HttpResponse:
    if scope is not None:
        refusal = api_key_failures_refusal(request=request)
        if refusal is not None:
            return refusal
    refusal = _api_refusal(request=request, methods=methods, scope=scope, kwargs=kwargs)
    response = view(request, *args, **kwargs) if refusal is None else refusal
    if scope is not None:
        api_key_failure_count(request=request, response=response)
    return response


def _api_refusal(
    *, request: HttpRequest, methods: tuple[str, ...], scope: str | None, kwargs: dict
) -> HttpResponse | None:
    """The method, key, scope and call-limit refusal of the call, if any; with a scope, the
    authenticated client goes into the view's `kwargs` as `client`."""
    if request.method not in methods:
        return api_error(
            status=405,
            code="method_not_allowed",
            message=f"Use {' or '.join(methods)} on this endpoint.",
            headers={"Allow": ", ".join(methods)},
        )
    if scope is None:
        return None
    client = api_client_authenticate(request=request)
    refusal = api_key_refusal(request=request, client=client, scope=scope)
    if refusal is not None:
        return refusal
    # The first point that knows the caller: name it in the request's log lines.
    request_context_user(user=actor_name(user=None, api_client=client))
    kwargs["client"] = client
    return rate_limit_refusal(limit=API_CALLS, request=request, view_kwargs=kwargs)
