"""API endpoints: validate, call one function, respond (guards: `lookup.access.api_calls`)."""

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse

from lookup.access.answers import api_error
from lookup.access.api_calls import api_view
from lookup.api.errors import api_field_error
from lookup.api.openapi import openapi_document
from lookup.api.payloads import link_result_payload, search_page_payload
from lookup.api.queries import cursor_encode, customer_query_parse
from lookup.audit import AuditContext
from lookup.domain.errors import InvalidField
from lookup.error_pages import api_not_found
from lookup.models import ApiClient
from lookup.services.ingestion import order_event_ingest
from lookup.services.search import search_record

logger = logging.getLogger(__name__)


@api_view(methods=("POST",), scope=ApiClient.Scope.LINKS_WRITE)
def phone_links_create(request: HttpRequest, *, client: ApiClient) -> JsonResponse:
    """Link an order's drop-off phone (else the account phone) to its customer: 201 when newly
    searchable, else 200 (an order with no phone at all is 200 `skipped`)."""
    try:
        event = json.loads(request.body)
    except RequestDataTooBig:
        return api_error(
            status=413, code="too_large", message="An order event is a few hundred bytes."
        )
    except (ValueError, RecursionError):
        return api_field_error(
            InvalidField("(body)", "must be a JSON object: the order.committed event."),
            code="invalid_event",
        )
    try:
        result = order_event_ingest(
            event=event, audit=AuditContext.from_request(request, api_client=client)
        )
    except InvalidField as exc:
        # The reason, not the body: the body holds personal data.
        logger.warning("API client %s sent an unusable event: %s", client.name, exc)
        return api_field_error(exc, code="invalid_event")
    return JsonResponse(link_result_payload(result), status=201 if result.outcome.created else 200)


@api_view(methods=("GET",), scope=ApiClient.Scope.CUSTOMERS_READ)
def customers_find(request: HttpRequest, *, client: ApiClient) -> JsonResponse:
    """The customers linked to a phone number, best candidates first, one page per call."""
    try:
        query = customer_query_parse(
            params=request.GET,
            default_page_size=settings.SEARCH_PAGE_SIZE,
            regions=settings.PHONE_REGIONS,
        )
    except InvalidField as exc:
        return api_field_error(exc)
    # Recorded as the client's search: the audit context names the client.
    results = search_record(
        query=query, audit=AuditContext.from_request(request, api_client=client)
    )
    next_cursor = (
        cursor_encode(phone=query.reading.number, page=results.page + 1, page_size=query.page_size)
        if results.has_next
        else None
    )
    return JsonResponse(
        search_page_payload(results, requested_page=query.page, next_cursor=next_cursor)
    )


@api_view(methods=("GET",))
def openapi_json(request: HttpRequest) -> JsonResponse:
    """The API's OpenAPI 3.1 description; public, like any API reference."""
    return JsonResponse(openapi_document(), json_dumps_params={"indent": 2})


@api_view(methods=("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"))
def not_found(request: HttpRequest, path: str) -> JsonResponse:
    """Unknown paths under /api/v1/ answer in JSON too, not with the HTML 404 page."""
    return api_not_found()
