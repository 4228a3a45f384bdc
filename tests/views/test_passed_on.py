""" "Passed to another customer": a number whose orders moved from one customer to another, as
the results, the customer page and the API show it (the rule: tests/domain/test_superseded.py).

Records are written as their writers write them: this project's order links (through the
ingestion path), the design's bare UserPhoneLookUp and the users service's profile phone.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from lookup.domain.evidence import OrderSeen
from lookup.domain.pages import CustomerMatch, SearchPage
from lookup.phones import phone_from_e164
from lookup.services.ingestion import order_link_record
from tests import factories as f
from tests.lookups import search, store, stored_link
from tests.services.test_record_shapes import design_record, put_raw

NUMBER = "+447700900123"
SEARCH = reverse("lookup:search")
TAKEOVER = f.NOW - timedelta(days=100)
PASSED = "this number is used by another customer"


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0


def order(customer_id: str, order_id: str, created) -> OrderSeen:
    return OrderSeen(
        order_id=order_id, customer_id=customer_id, phone=NUMBER, country="GB", created_at=created
    )


@pytest.fixture
def reassigned(moto_table):
    """Alice ordered to the number until 200 days ago; Bruno's orders to it began 100 days ago,
    each recorded as the order service delivered them."""
    alice, bruno = f.profile(name="Alice Old"), f.profile(name="Bruno New")
    store(moto_table, profiles=[alice, bruno])
    for days, order_id in ((400, "a1"), (200, "a2")):
        order_link_record(order=order(alice.customer_id, order_id, f.NOW - timedelta(days=days)))
    for days, order_id in ((100, "b1"), (3, "b2")):
        order_link_record(order=order(bruno.customer_id, order_id, f.NOW - timedelta(days=days)))
    return alice, bruno


def rows_text(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr")[1:]


def test_results_list_the_new_customer_first_and_say_since_when_the_old_ones_number_passed(
    agent_client, reassigned
):
    alice, bruno = reassigned

    response = agent_client.get(SEARCH, {"phone": NUMBER, "country": "GB", "open": "1"})

    assert response.status_code == 200  # two customers: nothing opens by itself
    newest, oldest = rows_text(response.content.decode())
    assert "Bruno New" in newest and PASSED not in newest
    assert "Alice Old" in oldest
    assert "Since <span" in oldest and PASSED in oldest
    assert "12 Aug 2026" in oldest  # the day Bruno's first order was placed
    # The stronger evidence replaces the age badge on the same row.
    assert "possibly stale" not in oldest


def test_the_old_customers_page_says_the_number_passed_and_the_new_ones_does_not(
    agent_client, reassigned
):
    alice, bruno = reassigned

    old = agent_client.get(reverse("lookup:customer", args=[alice.customer_id]))
    new = agent_client.get(reverse("lookup:customer", args=[bruno.customer_id]))

    assert PASSED in old.content.decode()
    [row] = old.context["details"].numbers
    assert row.superseded_since == TAKEOVER
    assert PASSED not in new.content.decode()


def test_a_new_order_from_the_old_customer_takes_the_warning_away(agent_client, reassigned):
    alice, _ = reassigned
    order_link_record(order=order(alice.customer_id, "a3", f.NOW - timedelta(days=1)))

    response = agent_client.get(SEARCH, {"phone": NUMBER, "country": "GB"})
    page = agent_client.get(reverse("lookup:customer", args=[alice.customer_id]))

    assert PASSED not in response.content.decode()
    assert PASSED not in page.content.decode()
    assert response.context["results"].matches[0].customer_id == alice.customer_id


def test_a_design_shaped_record_is_passed_on_by_this_projects_orders(agent_client, moto_table):
    """The users service's bare UserPhoneLookUp, dated by its createdAt, is superseded like any
    order link."""
    dana, bruno = f.profile("cust-dana", name="Dana Design"), f.profile(name="Bruno New")
    store(moto_table, profiles=[dana, bruno])
    put_raw(
        moto_table, design_record(dana.customer_id, NUMBER, created=f.NOW - timedelta(days=300))
    )
    order_link_record(order=order(bruno.customer_id, "b1", TAKEOVER))

    response = agent_client.get(SEARCH, {"phone": NUMBER, "country": "GB"})

    newest, oldest = rows_text(response.content.decode())
    assert "Bruno New" in newest and "Dana Design" in oldest and PASSED in oldest


def test_a_number_on_the_old_customers_profile_never_passes_by_orders(agent_client, moto_table):
    owner, orderer = f.profile(name="Owner Olga"), f.profile(name="Bruno New")
    store(
        moto_table,
        profiles=[owner, orderer],
        links=[f.profile_link(owner.customer_id, NUMBER, first_seen=f.NOW - timedelta(days=900))],
    )
    order_link_record(order=order(owner.customer_id, "o1", f.NOW - timedelta(days=300)))
    order_link_record(order=order(orderer.customer_id, "b1", TAKEOVER))

    response = agent_client.get(SEARCH, {"phone": NUMBER, "country": "GB"})
    page = agent_client.get(reverse("lookup:customer", args=[owner.customer_id]))

    assert PASSED not in response.content.decode()
    assert PASSED not in page.content.decode()
    assert response.context["results"].matches[0].customer_id == owner.customer_id


def test_an_unlinked_newcomer_passes_nothing_on(lead_client, reassigned):
    alice, bruno = reassigned
    version = stored_link(bruno.customer_id, NUMBER).version
    unlinked = lead_client.post(
        reverse("lookup:unlink", args=[bruno.customer_id, NUMBER]),
        {"reason": "wrong_customer", "version": version},
    )
    assert unlinked.status_code == 302

    response = lead_client.get(SEARCH, {"phone": NUMBER, "country": "GB"})

    [match] = response.context["results"].matches
    assert match.customer_id == alice.customer_id and match.superseded_since is None


def test_a_single_match_that_passed_on_is_not_opened_directly():
    """The page model's rule, whatever else it allows one day: a customer whose number passed
    to someone else is never the obvious one to open."""
    alice = f.order_link("alice", NUMBER, last_seen=f.NOW - timedelta(days=200))
    page = SearchPage(
        number=phone_from_e164(NUMBER),
        matches=(
            CustomerMatch(
                customer_id="alice", profile=None, links=(alice,), superseded_since=TAKEOVER
            ),
        ),
        total=1,
        page=1,
        page_size=25,
        total_unfiltered=1,
    )

    assert page.only_match is None
    assert SearchPage(**{**_fields(page), "matches": (_current(alice),)}).only_match is not None


def _fields(page: SearchPage) -> dict:
    return {name: getattr(page, name) for name in SearchPage.__dataclass_fields__}


def _current(link):
    return CustomerMatch(customer_id="alice", profile=None, links=(link,))


def test_a_customer_with_no_current_link_is_flagged_even_when_only_some_passed_on(moto_table):
    """Alice's legacy record of the number passed to Bruno, and her other record of it (as
    the users service writes one, without a date) vouches for nothing: she ranks as possibly
    stale, so the row says so (and she would never open by herself)."""
    alice, bruno = f.profile(name="Alice Old"), f.profile(name="Bruno New")
    store(
        moto_table,
        profiles=[alice, bruno],
        links=[
            f.legacy_link(alice.customer_id, NUMBER, created=f.NOW - timedelta(days=200)),
            f.order_link(bruno.customer_id, NUMBER, first_seen=TAKEOVER, last_seen=f.NOW),
        ],
    )
    undated = design_record(alice.customer_id, NUMBER)
    del undated["createdAt"]
    put_raw(moto_table, undated)

    matches = {match.customer_id: match for match in search(NUMBER).matches}

    assert matches[alice.customer_id].possibly_stale
    assert matches[alice.customer_id].superseded_since is None
    assert not matches[bruno.customer_id].possibly_stale
