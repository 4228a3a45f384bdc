"""API keys on requests: reading one, the client it authenticates, and the refusal of a call
without a valid key or without the endpoint's scope (`api_calls.api_view` asks)."""

import logging
import re
from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from lookup.access.answers import api_error
from lookup.access.identity import client_address
from lookup.audit import audit_record
from lookup.models import ApiClient, AuditEntry

logger = logging.getLogger(__name__)

LAST_USED_RESOLUTION = timedelta(seconds=60)
_KEY_ID = re.compile(r"[0-9a-f]{12}")  # ApiClient.issue_key's public part
_CHALLENGE = 'Bearer realm="phone-lookup"'


def api_key_from_request(*, request: HttpRequest) -> str:
    """The key from `Authorization: Bearer <key>`, else from `X-Api-Key`; "" when neither."""
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.headers.get("X-Api-Key", "").strip()


def api_client_authenticate(*, request: HttpRequest) -> ApiClient | None:
    """The active client whose key the request carries (recording that it was used), or None."""
    client = ApiClient.authenticate(api_key_from_request(request=request))
    if client is not None:
        # A single UPDATE rather than save(): it cannot overwrite an admin's concurrent edit
        # (revoking the key, changing scopes) with the stale copy loaded here. At most once a
        # minute, so a busy client does not turn every call into a write on the same row.
        now = timezone.now()
        recently = now - LAST_USED_RESOLUTION
        if client.last_used_at is None or client.last_used_at < recently:
            ApiClient.objects.filter(pk=client.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=recently)
            ).update(last_used_at=now)
            client.last_used_at = now
    return client


def api_key_refusal(
    *, request: HttpRequest, client: ApiClient | None, scope: str
) -> HttpResponse | None:
    """401 without a key that authenticates (logged), 403 for a key without `scope` (audited);
    None when the call may go on."""
    if client is None:
        raw_key = api_key_from_request(request=request)
        # Logged, not audited: there is no client to attribute it to. Never the secret part.
        # A wrong key is worth a look; a call without one is mostly scanners.
        logger.log(
            logging.WARNING if raw_key else logging.INFO,
            "Refused API call %s %s from %s: %s",
            request.method,
            request.path,
            client_address(request) or "unknown address",
            _key_description(raw_key),
        )
        if not raw_key:
            return api_error(
                status=401,
                code="missing_api_key",
                message="Send your API key as 'Authorization: Bearer <key>' (or 'X-Api-Key').",
                headers={"WWW-Authenticate": _CHALLENGE},
            )
        # Wrong and revoked keys get the same answer: nothing to learn about which keys exist.
        return api_error(
            status=401,
            code="invalid_api_key",
            message="This API key is not valid or has been revoked.",
            headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
        )
    if not client.has_scope(scope):
        audit_record(
            request=request,
            action=AuditEntry.Action.PERMISSION_DENIED,
            reason=f"API client lacks scope {scope}",
            api_client=client,
        )
        return api_error(
            status=403,
            code="insufficient_scope",
            message=f"This API key does not have the '{scope}' scope.",
            headers={"WWW-Authenticate": f'{_CHALLENGE}, error="insufficient_scope"'},
        )
    return None


def _key_description(raw_key: str) -> str:
    if not raw_key:
        return "no API key"
    parts = raw_key.split("_", 2)
    if len(parts) == 3 and parts[0] == ApiClient.KEY_PREFIX and _KEY_ID.fullmatch(parts[1]):
        return f"unknown or revoked key {parts[0]}_{parts[1]}_…"
    return "a malformed API key"  # its text is the caller's: not worth repeating in our logs
