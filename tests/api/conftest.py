"""Machine personas calling the API, each with its own key, and helpers to call as them."""

from dataclasses import dataclass

import pytest

from lookup.models import ApiClient
from tests import factories

UK_MOBILE = factories.UK_MOBILE


@dataclass(frozen=True)
class Caller:
    """An API client and the plain key it was given (only tests ever hold one)."""

    client: ApiClient
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def refreshed(self) -> ApiClient:
        return ApiClient.objects.get(pk=self.client.pk)


def _caller(name: str, *scopes: str, is_active: bool = True) -> Caller:
    client = ApiClient(name=name, scopes=list(scopes), is_active=is_active)
    key = client.issue_key()
    client.save()
    return Caller(client=client, key=key)


@pytest.fixture
def order_service(db) -> Caller:
    """The order service creates links when orders are committed; it cannot read customers."""
    return _caller("order-service", ApiClient.Scope.LINKS_WRITE)


@pytest.fixture
def helpdesk(db) -> Caller:
    """The help-desk widget finds callers by phone; it cannot create links."""
    return _caller("helpdesk-widget", ApiClient.Scope.CUSTOMERS_READ)


@pytest.fixture
def dashboard(db) -> Caller:
    """A second reader of customers, so that one client's key id can be paired with another's
    secret."""
    return _caller("support-dashboard", ApiClient.Scope.CUSTOMERS_READ)


@pytest.fixture
def retired_service(db) -> Caller:
    """A decommissioned integration: both scopes, but an admin revoked its key."""
    return _caller(
        "retired-integration",
        ApiClient.Scope.LINKS_WRITE,
        ApiClient.Scope.CUSTOMERS_READ,
        is_active=False,
    )


def order_event(**order_fields) -> dict:
    """An order.committed event (DESIGN.md section 4) for customer `cust-buyer` in Brazil."""
    order = {
        "id": "ord_1001",
        "customerId": "cust-buyer",
        "country": "BR",
        "createdAt": "2026-11-20T09:59:58Z",
        "delivery": {"dropoff": {"phoneNumber": "(11) 91234-5678"}},
        **order_fields,
    }
    return {
        "type": "order.committed",
        "id": "evt_1001",
        "occurredAt": "2026-11-20T10:00:00Z",
        "order": order,
    }
