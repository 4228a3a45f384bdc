"""The permission matrix: every URL x anonymous / no role / agent / lead / admin.

Refused POSTs must leave DynamoDB exactly as it was.
"""

import pytest
from django.test import Client
from django.urls import reverse

from lookup.domain import LinkChange
from lookup.models import AuditEntry
from tests import factories as f
from tests.lookups import store, tombstone

DESK = "+442079460018"
PERSONAS = ["anonymous", "newcomer", "agent", "lead", "admin"]
OK, REDIRECT, FORBIDDEN = 200, 302, 403

# (name, method, url builder, form data, expected status per persona in PERSONAS order)
MATRIX = [
    (
        "search page",
        "get",
        lambda sam, kim: reverse("lookup:search"),
        None,
        [REDIRECT, FORBIDDEN, OK, OK, OK],
    ),
    (
        "search results",
        "get",
        lambda sam, kim: reverse("lookup:search") + f"?phone={DESK}&country=GB",
        None,
        [REDIRECT, FORBIDDEN, OK, OK, OK],
    ),
    (
        "customer page",
        "get",
        lambda sam, kim: reverse("lookup:customer", args=[sam]),
        None,
        [REDIRECT, FORBIDDEN, OK, OK, OK],
    ),
    (
        "unlink confirmation",
        "get",
        lambda sam, kim: reverse("lookup:unlink", args=[sam, DESK]),
        None,
        [REDIRECT, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN],
    ),
    (
        "unlink",
        "post",
        lambda sam, kim: reverse("lookup:unlink", args=[sam, DESK]),
        {"reason": "wrong_customer", "version": 0},
        [REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN],
    ),
    (
        "restore confirmation",
        "get",
        lambda sam, kim: reverse("lookup:restore", args=[kim, DESK]),
        None,
        [REDIRECT, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN],
    ),
    (
        "restore",
        "post",
        lambda sam, kim: reverse("lookup:restore", args=[kim, DESK]),
        {"reason": "customer confirmed", "version": 1},
        [REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN],
    ),
    (
        "admin index",
        "get",
        lambda sam, kim: reverse("admin:index"),
        None,
        [REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK],
    ),
    (
        "audit trail",
        "get",
        lambda sam, kim: reverse("admin:lookup_auditentry_changelist"),
        None,
        [REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK],
    ),
    (
        "audit export",
        "get",
        lambda sam, kim: reverse("admin:lookup_auditentry_export"),
        None,
        [REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK],
    ),
    (
        "audit add",
        "get",
        lambda sam, kim: reverse("admin:lookup_auditentry_add"),
        None,
        [REDIRECT, REDIRECT, REDIRECT, REDIRECT, FORBIDDEN],
    ),
    (
        "accounts",
        "get",
        lambda sam, kim: reverse("admin:auth_user_changelist"),
        None,
        [REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK],
    ),
]

CASES = [
    pytest.param(name, method, url, data, persona, expected[index], id=f"{name}-{persona}")
    for name, method, url, data, expected in MATRIX
    for index, persona in enumerate(PERSONAS)
]


def table_snapshot(table) -> list[str]:
    return sorted(map(repr, table.client.scan(TableName=table.name)["Items"]))


@pytest.fixture
def two_links(moto_table):
    """Sam is linked to the desk number; Kim was unlinked from it."""
    sam, kim = f.profile(name="Sam"), f.profile(name="Kim")
    store(
        moto_table,
        profiles=[sam, kim],
        links=[f.order_link(sam.customer_id, DESK), f.order_link(kim.customer_id, DESK)],
    )
    tombstone(
        customer_id=kim.customer_id,
        phone=DESK,
        change=LinkChange(at=f.NOW, by="someone", reason="test"),
    )
    return sam.customer_id, kim.customer_id


@pytest.mark.parametrize(("name", "method", "url", "data", "persona", "expected"), CASES)
def test_permission_matrix(
    request, db, moto_table, two_links, name, method, url, data, persona, expected
):
    browser = Client()
    if persona != "anonymous":
        user = request.getfixturevalue("admin_user" if persona == "admin" else persona)
        browser.force_login(user)
    before = table_snapshot(moto_table)

    response = getattr(browser, method)(url(*two_links), data or {})

    assert response.status_code == expected
    if persona == "anonymous":
        assert "/login/" in response["Location"]
    if method == "post" and expected != REDIRECT or persona == "anonymous":
        assert table_snapshot(moto_table) == before
    if expected == FORBIDDEN and not name.startswith("audit add"):
        assert AuditEntry.objects.filter(
            action=AuditEntry.Action.PERMISSION_DENIED, user__username=user.username
        ).exists()
