"""The results page as an agent on a call uses it: rows that tell customers apart, narrowing a
busy number, the way back to the same page, a single match opened directly, recent searches."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lookup.models import AuditEntry
from tests import factories as f
from tests.conftest import count_requests
from tests.lookups import store

SEARCH = reverse("lookup:search")
DESK = "+442079460018"  # +44 20 7946 0018
BR_NEW = "+5511987654321"
BR_OLD = "+551187654321"


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # These tests make more searches than a minute allows a person.
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0


def rows(html: str) -> list[str]:
    """The result rows' markup, in order."""
    return re.findall(r"<tr data-row-link>(.*?)</tr>", html, re.S)


def search(client, **params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200, response.status_code
    return response


@pytest.fixture
def namesakes(moto_table):
    """Two Lucas Andersons in the United States on the desk number: only their details differ."""
    first = f.profile(
        "3f2a9c1e-7b44-4aec-88ab-1241b7ead811",
        name="Lucas Anderson",
        email="lucas.anderson@example.com",
        country="US",
        created_at=f.NOW - timedelta(days=800),
        status="active",
    )
    second = f.profile(
        "9b0c77d2-11aa-4c2e-9f00-5e5e5e5e5e5e",
        name="Lucas Anderson",
        email="landerson@example.org",
        country="US",
        created_at=f.NOW - timedelta(days=30),
        status="suspended",
    )
    store(
        moto_table,
        profiles=[first, second],
        links=[
            f.order_link(
                first.customer_id,
                DESK,
                order_count=7,
                last_seen=f.NOW - timedelta(days=2),
                recent_orders=f.recent("ord_77", "ord_76", last_seen=f.NOW - timedelta(days=2)),
            ),
            f.profile_link(second.customer_id, DESK),
            f.order_link(second.customer_id, DESK, order_count=1, recent_orders=f.recent("ord_9")),
        ],
    )
    return first, second


def test_each_row_tells_namesakes_apart(agent_client, namesakes):
    first, second = namesakes
    html = search(agent_client, phone=DESK, country="GB").content.decode()
    [owner_row, other_row] = rows(html)  # the profile owner first
    # Second: a profile phone and 1 order, suspended, a customer for 30 days.
    assert "Lucas Anderson" in owner_row and "l•••n@example.org" in owner_row
    assert "21 Oct 2026" in owner_row  # customer since (NOW - 30 days)
    assert 'badge-status-suspended">suspended<' in owner_row
    assert ">Profile<" in owner_row and ">Order<" in owner_row
    assert 'data-label="Orders on this number"><div class="cell">1<' in owner_row
    assert "10 Nov 2026" in owner_row and "ord_9" in owner_row  # the last order, dated
    # First: orders only, 7 of them, active, a customer for 800 days.
    assert "l•••n@example.com" in other_row and "11 Sep 2024" in other_row
    assert 'badge-status-active">active<' in other_row and ">Profile<" not in other_row
    assert 'data-label="Orders on this number"><div class="cell">7<' in other_row
    assert "18 Nov 2026" in other_row and "ord_77" in other_row and "ord_76" not in other_row
    # The id is shortened in the list, whole in its title and in the copy button.
    assert f'title="{first.customer_id}">3f2a9c1e…</code>' in other_row
    assert f'data-copy="{first.customer_id}" hidden>Copy' in other_row
    # Dates never wrap; the whole row leads to the customer (the name is the link without JS).
    assert 'class="nowrap"' in other_row
    assert f'data-row-target class="customer-name" href="/customers/{first.customer_id}/' in (
        other_row
    )


def test_a_profile_phone_without_orders_says_so_in_results(agent_client, moto_table):
    owner = f.profile(name="Pat Profile")
    store(moto_table, profiles=[owner], links=[f.profile_link(owner.customer_id, DESK)])
    [row] = rows(search(agent_client, phone=DESK, country="GB").content.decode())
    assert 'data-label="Orders on this number"><div class="cell">0<' in row
    assert 'data-label="Last order"><div class="cell"><span class="muted">none</span>' in row


# --- narrowing a busy number --------------------------------------------------------------------


@pytest.fixture
def reception(moto_table):
    """130 customers typed the reception desk; three of them are the Andersons the caller
    might be, sorted onto pages 2, 4 and 6 of 25."""
    people = []
    for rank in range(130):
        name = {30: "Lucas Anderson", 80: "Maria Anderson", 129: "Lucía Pérez"}.get(rank)
        email = "anderson.family@example.com" if rank == 129 else f"desk{rank}@example.com"
        people.append(
            f.profile(f"desk-{rank:03d}", name=name or f"Desk user {rank:03d}", email=email)
        )
    store(
        moto_table,
        profiles=people,
        links=[f.order_link(person.customer_id, DESK) for person in people],
    )
    return people


def test_the_filter_searches_every_match_not_just_the_page(agent_client, reception, moto_table):
    with count_requests(moto_table) as unfiltered:
        search(agent_client, phone=DESK, country="GB")
    # Without a filter only the page's profiles are read: the rule of two requests holds.
    assert unfiltered.operations == ["Query", "BatchGetItem"]

    with count_requests(moto_table) as filtered:
        response = search(agent_client, phone=DESK, country="GB", filter="ANDERSON")
    html = response.content.decode()
    # A filter reads every match's profile, 100 per BatchGetItem: 130 take two.
    assert filtered.counts == {"Query": 1, "BatchGetItem": 2}
    assert "3 of 130 customers linked to this number match “ANDERSON”" in html
    names = [re.search(r'class="customer-name"[^>]*>([^<]*)<', row)[1] for row in rows(html)]
    assert names == ["Lucas Anderson", "Maria Anderson", "Lucía Pérez"]  # email too, in order


def test_the_filter_ignores_case_and_accents_and_needs_every_word(agent_client, reception):
    html = search(agent_client, phone=DESK, country="GB", filter="lucia perez").content.decode()
    assert [row for row in rows(html) if "Lucía Pérez" in row]
    assert len(rows(html)) == 1
    html = search(agent_client, phone=DESK, country="GB", filter="lucas pérez").content.decode()
    assert rows(html) == []
    assert "0 of 130 customers linked to this number match “lucas pérez”" in html


def test_the_filter_and_page_size_are_offered_only_when_worth_it(agent_client, reception, db):
    html = search(agent_client, phone=DESK, country="GB").content.decode()
    assert '<label for="id_filter">Name or email contains</label>' in html
    assert '<option value="25" selected>25</option>' in html and '<option value="100">' in html
    assert "Page 1 of 6" in html


def test_a_small_result_has_no_filter_box(agent_client, namesakes):
    assert 'id="id_filter"' not in search(agent_client, phone=DESK, country="GB").content.decode()


def test_the_page_size_can_be_chosen(agent_client, reception, moto_table):
    with count_requests(moto_table) as log:
        html = search(agent_client, phone=DESK, country="GB", size="100").content.decode()
    assert len(rows(html)) == 100 and "Page 1 of 2" in html
    assert log.operations == ["Query", "BatchGetItem"]  # still one batch for a page of 100
    # A size nobody offered falls back to the default rather than failing the page.
    html = search(agent_client, phone=DESK, country="GB", size="5000").content.decode()
    assert len(rows(html)) == 25


def test_page_size_and_filter_are_kept_in_every_link(agent_client, reception):
    html = search(
        agent_client, phone=DESK, country="GB", filter="user", size="50", page="2"
    ).content.decode()
    state = "page=2&amp;size=50&amp;filter=user"
    assert 'rel="next" href="?phone=%2B442079460018&amp;country=GB&amp;page=3&amp;size=50' in html
    assert f"?from=%2B442079460018&amp;{state}" in html  # each customer link
    customer = reverse("lookup:customer", args=["desk-051"])
    page = agent_client.get(customer, {"from": DESK, "page": 2, "size": 50, "filter": "user"})
    back = f'href="{SEARCH}?phone=%2B442079460018&amp;country=GB&amp;{state}"'
    assert back in page.content.decode()
    assert "Back to customers linked to +44 20 7946 0018 matching “user”, page 2" in (
        page.content.decode()
    )


def test_a_lead_comes_back_to_the_same_page_after_an_unlink(lead_client, reception):
    context = {"from": DESK, "page": "3", "filter": "user"}
    customer = reverse("lookup:customer", args=["desk-060"])
    page = lead_client.get(customer, context).content.decode()
    unlink = reverse("lookup:unlink", args=["desk-060", DESK])
    assert f'href="{unlink}?from=%2B442079460018&amp;page=3&amp;filter=user"' in page
    confirmation = lead_client.get(unlink, context).content.decode()
    assert f'href="{customer}?from=%2B442079460018&amp;page=3&amp;filter=user"' in confirmation
    response = lead_client.post(
        f"{unlink}?from=%2B442079460018&page=3&filter=user",
        {"reason": "wrong_customer", "version": 0},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{customer}?from=%2B442079460018&page=3&filter=user"
    page = lead_client.get(response["Location"]).content.decode()
    assert "Back to customers linked to +44 20 7946 0018 matching “user”, page 3" in page
    # The message is focused on arrival (read first) and marked up as one status region.
    assert '<div class="messages" role="status" tabindex="-1" autofocus data-autofocus>' in page
    assert '<p class="message message-success">' in page and 'role="status">\n' not in page


# --- a single match ------------------------------------------------------------------------------


@pytest.fixture
def single(moto_table):
    owner = f.profile(name="Harry Evans", email="harry@example.com")
    store(
        moto_table,
        profiles=[owner],
        links=[
            f.profile_link(owner.customer_id, f.UK_MOBILE),
            f.order_link(owner.customer_id, f.UK_MOBILE),
        ],
    )
    return owner


def test_a_search_box_search_with_one_current_customer_opens_it(agent_client, single):
    response = agent_client.get(SEARCH, {"phone": "07946 095812", "country": "GB", "open": "1"})
    customer = reverse("lookup:customer", args=[single.customer_id])
    assert response.status_code == 302
    assert response["Location"] == f"{customer}?from=%2B447946095812&only=1"
    page = agent_client.get(response["Location"]).content.decode()
    assert "The only customer linked to" in page and "1 customer linked to this number" in page
    # One link back shows the results (without opening the customer again).
    results = f'href="{SEARCH}?phone=%2B447946095812&amp;country=GB">Show the results</a>'
    assert results in page
    # The search and the customer view are both on record.
    assert list(AuditEntry.objects.values_list("action", flat=True).order_by("id")) == [
        AuditEntry.Action.SEARCH,
        AuditEntry.Action.CUSTOMER_VIEW,
    ]


def test_the_search_forms_ask_to_open_a_single_match(agent_client, single):
    html = agent_client.get(SEARCH).content.decode()
    assert '<input type="hidden" name="open" value="1">' in html
    customer = reverse("lookup:customer", args=[single.customer_id])
    page = agent_client.get(customer).content.decode()
    # The top bar's box, on every page but the search page, asks the same.
    topbar = page[page.index('<form class="topbar-search"') :]
    topbar = topbar[: topbar.index("</form>")]
    assert 'name="phone"' in topbar and "data-search-box" in topbar
    assert '<input type="hidden" name="open" value="1">' in topbar
    assert '<form class="topbar-search"' not in html  # the search page's own form is the box


def test_the_extension_travels_to_the_opened_customer(agent_client, single):
    response = agent_client.get(
        SEARCH, {"phone": "07946 095812 ext. 12", "country": "GB", "open": "1"}
    )
    assert response["Location"].endswith("?from=%2B447946095812&only=1&ext=12")
    assert "(extension 12)" in agent_client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"phone": "07946 095812", "country": "GB"},  # a link within the tool: no `open`
        {"phone": "07946 095812", "country": "GB", "open": "1", "filter": "harry"},
    ],
)
def test_links_and_narrowed_searches_list_the_match(agent_client, single, query):
    response = agent_client.get(SEARCH, query)
    assert response.status_code == 200 and len(rows(response.content.decode())) == 1


def test_auto_open_can_be_turned_off(agent_client, single, settings):
    settings.AUTO_OPEN_SINGLE_MATCH = False
    response = agent_client.get(SEARCH, {"phone": "07946 095812", "country": "GB", "open": "1"})
    assert response.status_code == 200


def test_a_match_that_needs_a_look_is_listed_not_opened(agent_client, moto_table):
    stale = f.profile(name="Quiet Quinn")
    renumbered = f.profile(name="Bruno Lima")
    long_ago = f.NOW - timedelta(days=3000)
    store(
        moto_table,
        profiles=[stale, renumbered],
        links=[
            f.order_link(stale.customer_id, DESK, first_seen=long_ago, last_seen=long_ago),
            f.legacy_link(renumbered.customer_id, BR_OLD, f.NOW - timedelta(days=10)),
        ],
    )
    for phone in (DESK, BR_NEW):  # possibly stale; found only through another form
        response = agent_client.get(SEARCH, {"phone": phone, "country": "GB", "open": "1"})
        assert response.status_code == 200, phone


# --- recent searches -----------------------------------------------------------------------------


def test_the_empty_search_page_lists_my_recent_searches(agent_client, lead_client, namesakes):
    for phone in ("+44 20 7946 0018", "+44 7946 095812", "020 7946 0018"):
        agent_client.get(SEARCH, {"phone": phone, "country": "GB"})
    lead_client.get(SEARCH, {"phone": "+44 7700 900461", "country": "GB"})  # someone else's
    with CaptureQueriesContext(connection) as queries:
        html = agent_client.get(SEARCH).content.decode()
    listed = html[html.index('<ul class="recent-searches">') :]
    listed = listed[: listed.index("</ul>")]
    # Newest first, each number once, each a link that searches again (and opens a single match).
    assert re.findall(r'class="phone" href="([^"]+)">([^<]+)<', listed) == [
        (f"{SEARCH}?phone=%2B442079460018&amp;country=GB&amp;open=1", "+44 20 7946 0018"),
        (f"{SEARCH}?phone=%2B447946095812&amp;country=GB&amp;open=1", "+44 7946 095812"),
    ]
    assert "United Kingdom · 2 customers · " in listed and "no customer" in listed
    assert "+44 7700 900461" not in listed
    reads = [q["sql"] for q in queries.captured_queries if "lookup_auditentry" in q["sql"]]
    assert len(reads) == 1 and reads[0].lstrip().upper().startswith("SELECT")


def test_a_new_agent_sees_no_recent_searches(agent_client, db):
    assert "Your recent searches" not in agent_client.get(SEARCH).content.decode()


# --- one audit entry per search ------------------------------------------------------------------


def test_turning_pages_of_one_search_is_one_audit_entry(agent_client, reception):
    for params in ({}, {"page": "2"}, {"page": "3"}, {"size": "50"}, {"page": "2", "size": "50"}):
        search(agent_client, phone="020 7946 0018", country="GB", **params)
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.SEARCH)
    assert list(entries.values_list("phone", "result_count", "reason")) == [(DESK, 130, "")]

    # A filter is another search, on record with the filter; its pages are not.
    search(agent_client, phone=DESK, country="GB", filter="anderson", size="25")
    search(agent_client, phone=DESK, country="GB", filter="anderson", page="2")
    assert entries.count() == 2
    assert entries.first().reason == "narrowed to “anderson”"
    # The same number searched again is a new search, entered again.
    search(agent_client, phone=DESK, country="GB")
    assert entries.count() == 3


def test_a_page_of_another_number_is_a_new_search_on_record(agent_client, reception, shared_number):
    # A page-turn URL (a bookmark, an edited link) for a number other than the one just searched
    # shows that number's customers, so it is a search of its own.
    search(agent_client, phone=DESK, country="GB")
    search(agent_client, phone=f.UK_MOBILE, country="GB", page="2")
    search(agent_client, phone=f.UK_MOBILE, country="GB", size="50")

    entries = AuditEntry.objects.filter(action=AuditEntry.Action.SEARCH).order_by("at", "id")
    assert list(entries.values_list("phone", "result_count")) == [(DESK, 130), (f.UK_MOBILE, 2)]


def test_a_page_opened_long_after_its_search_is_entered_again(agent_client, reception):
    search(agent_client, phone=DESK, country="GB")
    AuditEntry.objects.update(at=AuditEntry.objects.get().at - timedelta(hours=1))
    search(agent_client, phone=DESK, country="GB", page="2")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SEARCH).count() == 2


def test_another_persons_pages_are_their_own_entries(agent_client, lead_client, reception):
    search(agent_client, phone=DESK, country="GB")
    search(lead_client, phone=DESK, country="GB", page="2")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SEARCH).count() == 2
