"""Whatever another service wrote, every page and endpoint answers, escaped: never a 5xx.

A corpus of hostile values (unpaired surrogates, NUL and other control characters, bidi
overrides, slashes and dots, markup, spreadsheet formulas, very long values) is written straight
into the table, as another service could, then every page a person or a service opens over it
is requested.
"""

import itertools
import json
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from lookup.domain import DirectoryUnavailable, LinkChange
from lookup.models import AuditEntry
from tests import factories as f
from tests.api.conftest import helpdesk  # noqa: F401 - the API persona fixture
from tests.lookups import store

DESK = "+442079460018"
MARKUP = "<script>alert(1)</script>"
NASTY = [
    "c\ud800",
    "\udfff tail",
    "nul\x00byte",
    "bell\x07\x1b[31m",
    "\u202eevil\u202c",
    "X/numbers/+5511912345678/unlink",
    "..",
    "../x",
    "a/b/c",
    MARKUP,
    '"><img src=x onerror=alert(1)>',
    ';=HYPERLINK("http://x")',
    "=1+1",
    "~7E~2F",
    "x" * 20000,
]
hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=()), min_size=1, max_size=40),
)
# Keys are bounded by DynamoDB itself (2 KB hash keys): no other service can write more.
_desks = itertools.count(100)
hostile_key = hostile_text.filter(lambda text: len(text.encode("utf-8", "surrogatepass")) < 500)


def _hostile_world(
    table, ident: str, name: str, email: str, reason: str, phone_text: str, desk: str = DESK
):
    customer = f.profile(ident, name=name, email=email, country=name[:2], status=reason)
    store(
        table,
        profiles=[customer],
        links=[
            f.order_link(ident, desk, recent_orders=f.recent(name[:50] or "o", reason[:50] or "p")),
            replace(
                f.order_link(ident, "+447700900461"),
                unlink=LinkChange(at=f.NOW, by=name, reason=reason),
            ),
            f.legacy_link(ident, phone_text, f.NOW - timedelta(days=900)),
            f.profile_link(ident, phone_text),
        ],
    )
    return customer


def _pages_answer(clients: dict[str, Client], desk: str) -> None:
    """Open every page over the hostile records, following the links the app itself built."""
    search = reverse("lookup:search")
    query = {"phone": desk, "country": "GB"}
    results = clients["lead"].get(search, query)
    _answered("lead", search, results)
    _answered("agent", search, clients["agent"].get(search, query))
    [match] = results.context["results"].matches
    shown_id = match.customer_id  # as the page shows it, and builds its links with
    urls = [
        ("agent", reverse("lookup:customer", args=[shown_id])),
        ("lead", reverse("lookup:customer", args=[shown_id])),
        ("lead", reverse("lookup:unlink", args=[shown_id, desk])),
        ("lead", reverse("lookup:restore", args=[shown_id, "+447700900461"])),
        ("admin", reverse("admin:lookup_auditentry_changelist") + "?" + urlencode({"q": shown_id})),
        ("admin", reverse("admin:lookup_auditentry_export")),
    ]
    for persona, url in urls:
        _answered(persona, url, clients[persona].get(url))


def _answered(persona: str, url: str, response) -> None:
    assert response.status_code < 500, (persona, url, response.status_code)
    body = b"".join(response) if response.streaming else response.content
    assert MARKUP.encode() not in body, (persona, url)


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(
    ident=hostile_key,
    name=hostile_text,
    email=hostile_text,
    reason=hostile_text,
    phone=hostile_key,
)
def test_hostile_records_never_break_a_page(
    table, agent, lead, admin_user, ident, name, email, reason, phone
):
    clients = {"agent": Client(), "lead": Client(), "admin": Client()}
    for persona, user in (("agent", agent), ("lead", lead), ("admin", admin_user)):
        clients[persona].force_login(user)
    desk = f"+44207946{next(_desks):04d}"  # a number of its own: examples share the table
    try:
        _hostile_world(table, ident, name, email, reason, phone, desk)
    except (UnicodeEncodeError, DirectoryUnavailable):
        # This backend refuses the value (moto and DynamoDB store only valid UTF-8; dynalite
        # keeps what it is given): no other service could have written it there either.
        reject()
    _pages_answer(clients, desk)


@pytest.mark.parametrize("ident", [text for text in NASTY if len(text) < 500])
def test_every_listed_hostile_id_renders_and_links_to_itself(dynalite_table, agent_client, ident):
    # dynalite stores whatever it is given, unpaired surrogates included.
    _hostile_world(dynalite_table, ident, ident, ident, ident, "030/1234567")
    search = reverse("lookup:search")
    results = agent_client.get(search, {"phone": "020 7946 0018", "country": "GB"})
    assert results.status_code == 200
    [match] = results.context["results"].matches
    link = reverse("lookup:customer", args=[match.customer_id])
    assert link.count("/") == 3  # /customers/<one segment>/: no id reads as another route
    page = agent_client.get(link)
    if page.status_code == 404:
        # Only an id that is not text (an unpaired surrogate, shown with a replacement
        # character) may fail to lead back to its customer, and then the page says so.
        assert "\ufffd" in match.customer_id
        assert "No customer with this id." in page.content.decode()
    else:
        assert page.status_code == 200
        assert page.context["details"].customer_id == match.customer_id


def test_the_api_lists_hostile_customers_without_failing(dynalite_table, client, helpdesk):  # noqa: F811
    idents = [text for text in NASTY if len(text) < 500]
    for ident in idents:
        _hostile_world(dynalite_table, ident, ident, ident, ident, "030/1234567")
    response = client.get(
        reverse("api:customers"), {"phone": DESK, "limit": "100"}, headers=helpdesk.headers
    )
    assert response.status_code == 200
    assert response.json()["total"] == len(idents)


def test_a_slash_in_a_stored_number_still_lets_a_lead_unlink_it(moto_table, lead_client):
    store(moto_table, links=[f.legacy_link("cust-old", "030/1234567", f.NOW)])
    page = lead_client.get(reverse("lookup:customer", args=["cust-old"]))
    assert page.status_code == 200
    unlink = reverse("lookup:unlink", args=["cust-old", "030/1234567"])
    assert unlink in page.content.decode().replace("&amp;", "&")
    legacy_id = page.context["details"].links[0].link.legacy_id
    response = lead_client.post(
        f"{unlink}?legacy={legacy_id}",
        {"reason": "number_reassigned", "version": 0, "legacy": legacy_id},
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK).count() == 1


def test_an_id_climbing_out_of_its_route_is_not_another_page(moto_table, agent_client):
    store(moto_table, profiles=[f.profile("..", name="Dot Dot")])
    url = reverse("lookup:customer", args=[".."])
    assert url == "/customers/~2E~2E/"
    assert agent_client.get(url).context["details"].profile.name == "Dot Dot"


def test_a_malformed_escape_is_simply_not_found(moto_table, agent_client):
    assert agent_client.get("/customers/abc~ZZ/").status_code == 404
    assert agent_client.get("/customers/abc~E9/").status_code == 404  # not UTF-8


def test_a_refusal_for_a_nul_id_is_a_403_and_audited(moto_table, agent_client):
    response = agent_client.get("/customers/%00/numbers/+442079460018/unlink/")
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERMISSION_DENIED)
    assert entry.customer_id == "\ufffd"


def test_a_tampered_version_is_a_400_and_changes_nothing(moto_table, lead_client):
    sam = f.profile(name="Sam")
    store(moto_table, profiles=[sam], links=[f.order_link(sam.customer_id, DESK)])
    response = lead_client.post(
        reverse("lookup:unlink", args=[sam.customer_id, DESK]),
        {"reason": "customer_request", "version": "9" * 40},
    )
    assert response.status_code == 400
    assert "nothing was changed" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK).exists()


@pytest.mark.parametrize(
    ("field", "path", "value", "reason"),
    [
        ("order.customerId", ("customerId",), "c\ud800", "unpaired surrogate"),
        ("order.id", ("id",), "ord\x00", "control character"),
        ("order.customerId", ("customerId",), "tab\there", "control character"),
        (
            "order.delivery.dropoff.phoneNumber",
            ("delivery", "dropoff", "phoneNumber"),
            "+44 7946\x00 095812",
            "control character",
        ),
        # An id that reads (and copies) as another: "cust-\u202eyub" shows as "cust-buy".
        ("order.customerId", ("customerId",), "cust-\u202eyub", "U+202E"),
        *(
            (
                "order.id",
                ("id",),
                f"ord{control}_1",
                f"bidirectional control character (U+{ord(control):04X})",
            )
            for control in "\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
        ),
    ],
)
def test_unsafe_text_in_an_event_is_refused_before_anything_is_written(
    moto_table, client, db, field, path, value, reason
):
    from lookup.models import ApiClient
    from tests.api.conftest import _caller, order_event

    caller = _caller("order-service", ApiClient.Scope.LINKS_WRITE)
    event = order_event()
    target = event["order"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    response = client.post(
        reverse("api:phone-links"),
        json.dumps(event),
        content_type="application/json",
        headers=caller.headers,
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert reason in response.json()["error"]["message"]
    assert moto_table.client.scan(TableName=moto_table.name)["Count"] == 0
