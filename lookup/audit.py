"""Writing the audit trail: who touched which customer data, from where, in which request.

Services that touch customer data take an `AuditContext` (who and from where,
built once from the request) and write their own entry, so no path reads or changes customer
data without leaving one.
"""

from dataclasses import dataclass, replace

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from lookup.access.identity import actor_name, client_address, request_user
from lookup.domain.text import text_storable
from lookup.models import ApiClient, AuditEntry


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who acts (a signed-in user or an API client) and the request they act in."""

    user: AbstractBaseUser | None
    api_client: ApiClient | None = None
    path: str = ""
    client_address: str | None = None
    request_id: str = ""
    named: str = ""  # who, when nobody is signed in: the name a refused sign-in gave

    @property
    def actor(self) -> str:
        return actor_name(user=self.user, api_client=self.api_client, named=self.named)

    @classmethod
    def from_request(
        cls, request: HttpRequest, *, api_client: ApiClient | None = None
    ) -> "AuditContext":
        return cls(
            user=request_user(request),
            api_client=api_client,
            path=request.get_full_path(),
            client_address=client_address(request),
            request_id=getattr(request, "request_id", ""),
        )


def audit_write(
    *,
    audit: AuditContext,
    action: str,
    phone: str = "",
    customer_id: str = "",
    result_count: int | None = None,
    reason: str = "",
    subject: str = "",
) -> AuditEntry:
    # Values come from URLs, events and other services' data: an entry must never fail to be
    # written (PostgreSQL refuses NUL, no database stores an unpaired surrogate) nor outgrow
    # its column, or the access it records would go unrecorded.
    return AuditEntry.objects.create(
        user=audit.user,
        api_client=audit.api_client,
        actor=_column("actor", audit.actor),
        action=action,
        phone=_column("phone", phone),
        customer_id=_column("customer_id", customer_id),
        subject=_column("subject", subject),
        result_count=result_count,
        reason=text_storable(reason),
        path=_column("path", audit.path),
        client_address=audit.client_address,
        request_id=_column("request_id", audit.request_id),
    )


def _column(name: str, value: str) -> str:
    return text_storable(value)[: AuditEntry._meta.get_field(name).max_length]


def audit_record(
    *,
    request: HttpRequest,
    action: str,
    phone: str = "",
    customer_id: str = "",
    result_count: int | None = None,
    reason: str = "",
    api_client: ApiClient | None = None,
    user: AbstractBaseUser | None = None,
    actor: str = "",
    subject: str = "",
) -> AuditEntry:
    """An entry about the request itself (a refusal, an export, a sign-in).

    `user` and `actor` name whom the entry is about when nobody is signed in yet: a refused
    sign-in (the account, if there is one, and the name the identity provider gave).
    """
    audit = AuditContext.from_request(request, api_client=api_client)
    if user is not None or actor:
        audit = replace(audit, user=user or audit.user, named=actor)
    return audit_write(
        audit=audit,
        action=action,
        phone=phone,
        customer_id=customer_id,
        subject=subject,
        result_count=result_count,
        reason=reason,
    )
