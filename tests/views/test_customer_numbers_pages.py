"""A customer page shows one page of numbers, however many the account has: an operator placing
orders for callers collects thousands under one customer id."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lookup.domain.links import LinkChange
from lookup.domain.times import utc_now
from tests import factories as f
from tests.conftest import count_requests
from tests.lookups import store, tombstone
from tests.views.test_page_cost import PAGE_STATEMENTS, statements

SEARCH_FROM = "+442079460018"  # the results the agent came from (another customer's number)
ROWS = re.compile(r'<tr class="[^"]*" data-phone="([^"]+)"')


def number(nth: int) -> str:
    """The account's nth number; the higher nth, the older its last order."""
    return f"+4478{nth:08d}"


def operator(table, links: int, *, name: str = "Call Centre Operator") -> str:
    """A customer whose `links` numbers were each last seen an hour apart, newest first."""
    customer = f.profile(name=name)
    store(
        table,
        profiles=[customer],
        links=[
            f.order_link(
                customer.customer_id,
                number(nth),
                last_seen=f.NOW - timedelta(hours=nth),
                recent_orders=f.recent(f"ord_{nth}", last_seen=f.NOW - timedelta(hours=nth)),
            )
            for nth in range(links)
        ],
    )
    return customer.customer_id


def page_of(client, customer_id: str, **query) -> tuple[str, list[str]]:
    response = client.get(reverse("lookup:customer", args=[customer_id]), query)
    assert response.status_code == 200
    html = response.content.decode()
    return html, ROWS.findall(html)


@pytest.fixture(autouse=True)
def page_size(settings):
    settings.CUSTOMER_NUMBERS_PAGE_SIZE = 25


def test_a_page_of_numbers_the_most_recent_first_with_the_total_and_the_other_pages(
    agent_client, moto_table
):
    customer_id = operator(moto_table, 60)

    html, rows = page_of(agent_client, customer_id)
    assert rows == [number(nth) for nth in range(25)]
    assert "60 numbers, showing 1–25." in html
    assert "Page 1 of 3" in html and "Previous" not in html
    # Controls above and below the list.
    assert html.count('rel="next" href="?numbers_page=2#numbers-heading"') == 2

    html, rows = page_of(agent_client, customer_id, numbers_page=2)
    assert rows == [number(nth) for nth in range(25, 50)]
    assert "60 numbers, showing 26–50." in html and "Page 2 of 3" in html
    assert (
        'rel="prev" href="?#numbers-heading"' in html
        and 'rel="next" href="?numbers_page=3#numbers-heading"' in html
    )

    html, rows = page_of(agent_client, customer_id, numbers_page=3)
    assert rows == [number(nth) for nth in range(50, 60)]
    assert "showing 51–60" in html and "Next" not in html
    # The newest order of the account, whichever page of numbers is open.
    assert "ord_0" in html.split("Linked numbers")[0]


def test_the_searched_number_comes_first_on_page_one_and_only_there(agent_client, moto_table):
    customer_id = operator(moto_table, 60)
    searched = number(40)  # on page 2 by its date

    html, rows = page_of(agent_client, customer_id, **{"from": searched})
    assert rows[0] == searched and len(rows) == 25
    assert rows[1:] == [number(nth) for nth in range(24)]
    assert "the number you searched" in html
    assert "60 numbers, showing 1–25. The number you searched first" in html

    later = [
        page_of(agent_client, customer_id, numbers_page=page, **{"from": searched})[1]
        for page in (2, 3)
    ]
    assert searched not in later[0] + later[1]
    assert [*rows, *later[0], *later[1]] == [searched, *(number(n) for n in range(60) if n != 40)]


def test_paging_keeps_the_way_back_to_the_results(agent_client, moto_table):
    customer_id = operator(moto_table, 30)
    html, _ = page_of(agent_client, customer_id, **{"from": SEARCH_FROM, "page": 3})
    assert (
        'rel="next" href="?from=%2B442079460018&amp;page=3&amp;numbers_page=2#numbers-heading"'
        in html
    )
    html, _ = page_of(
        agent_client, customer_id, **{"from": SEARCH_FROM, "page": 3, "numbers_page": 2}
    )
    assert "Back to customers linked to +44 20 7946 0018, page 3" in html


@pytest.mark.parametrize("asked", ["99", "4", "0", "-1", "two", "1e3"])
def test_a_page_number_past_the_end_or_unreadable_still_shows_numbers(
    agent_client, moto_table, asked
):
    customer_id = operator(moto_table, 60)
    html, rows = page_of(agent_client, customer_id, numbers_page=asked)
    if asked in {"99", "4"}:  # past the end: the last page
        assert "Page 3 of 3" in html and rows == [number(nth) for nth in range(50, 60)]
    else:  # not a page a person could choose: the first
        assert "Page 1 of 3" in html and rows[0] == number(0)


def test_an_account_with_few_numbers_has_no_paging(agent_client, moto_table):
    customer_id = operator(moto_table, 3)
    html, rows = page_of(agent_client, customer_id)
    assert len(rows) == 3 and "3 numbers." in html
    assert "Page 1" not in html and "numbers_page" not in html


@pytest.mark.parametrize(
    ("links", "unlinked", "flagged"),
    [(5, 0, True), (4, 0, False), (6, 1, True), (5, 1, False)],
    ids=["at-threshold", "one-below", "above-with-an-unlink", "unlinked-do-not-count"],
)
def test_an_account_with_unusually_many_numbers_is_flagged_probably_shared(
    lead_client, moto_table, settings, links, unlinked, flagged
):
    settings.SHARED_ACCOUNT_NUMBERS_THRESHOLD = 5
    customer_id = operator(moto_table, links)
    for nth in range(unlinked):
        tombstone(
            customer_id=customer_id,
            phone=number(nth),
            change=LinkChange(at=utc_now(), by="leo.lead", reason="Number reassigned"),
        )
    html, rows = page_of(lead_client, customer_id)
    assert len(rows) == links  # a lead sees the unlinked ones too
    assert ("probably a shared account" in html) is flagged
    if flagged:
        assert f"Linked to {links - unlinked} numbers: probably an operator" in html


def test_no_account_is_flagged_when_the_threshold_is_zero(agent_client, moto_table, settings):
    settings.SHARED_ACCOUNT_NUMBERS_THRESHOLD = 0
    html, _ = page_of(agent_client, operator(moto_table, 30))
    assert "probably a shared account" not in html


def test_the_page_of_an_account_with_2000_numbers_is_the_size_of_one_with_30(
    agent_client, moto_table, settings
):
    small = operator(moto_table, 30, name="Small Account")
    large = operator(moto_table, 2000, name="Large Account")

    small_html, small_rows = page_of(agent_client, small)
    with count_requests(moto_table) as log, CaptureQueriesContext(connection) as queries:
        large_html, large_rows = page_of(agent_client, large)

    # Its two Queries (the large partition read to its end, past its first whole items with
    # only what ranking needs), one BatchGetItem for the page's links, and the same SQL
    # statements as any customer page (tests/views/test_page_cost.py).
    assert set(log.counts) == {"Query", "BatchGetItem"} and log.counts["BatchGetItem"] == 1
    assert sorted(statements(queries)) == sorted(PAGE_STATEMENTS)

    assert len(small_rows) == len(large_rows) == 25
    assert "2,000 numbers, showing 1–25." in large_html and "Page 1 of 80" in large_html
    # The same rows, plus the shared-account notice: a few hundred bytes more, not 80 pages.
    assert len(large_html) < len(small_html) * 1.1
    assert len(large_html) - len(small_html) < 2000


def test_unlink_and_restore_from_a_later_page_come_back_to_it(lead_client, moto_table):
    customer_id = operator(moto_table, 60)
    target = number(30)
    html, rows = page_of(lead_client, customer_id, numbers_page=2, **{"from": SEARCH_FROM})
    assert target in rows
    unlink = reverse("lookup:unlink", args=[customer_id, target])
    query = "from=%2B442079460018&amp;numbers_page=2"
    assert f'href="{unlink}?{query}"' in html

    response = lead_client.post(
        f"{unlink}?{query.replace('&amp;', '&')}", {"reason": "wrong_customer", "version": 0}
    )
    assert response.status_code == 302
    back = response["Location"]
    assert back.endswith("?from=%2B442079460018&numbers_page=2")
    html = lead_client.get(back).content.decode()
    assert "Page 2 of 3" in html
    assert "is no longer linked to <bdi>Call Centre Operator</bdi>" in html

    restore = reverse("lookup:restore", args=[customer_id, target])
    # An unlinked number moves after the live ones (page 3), and its Restore comes back there.
    html, rows = page_of(lead_client, customer_id, numbers_page=3, **{"from": SEARCH_FROM})
    assert rows[-1] == target
    query = "from=%2B442079460018&numbers_page=3"
    response = lead_client.post(
        f"{restore}?{query}", {"reason": "Customer confirmed it is theirs", "version": 1}
    )
    assert response["Location"].endswith(f"?{query}")


def test_a_renumberings_forms_are_one_number_kept_together_on_a_page(
    agent_client, moto_table, settings
):
    settings.CUSTOMER_NUMBERS_PAGE_SIZE = 2
    customer = f.profile(name="Helena Alves", country="BR")
    today, before = "+5511987654321", "+551187654321"  # Brazil's ninth digit, and without it
    store(
        moto_table,
        profiles=[customer],
        links=[
            f.order_link(customer.customer_id, today, last_seen=f.NOW),
            *(
                f.order_link(customer.customer_id, number(n), last_seen=f.NOW - timedelta(days=n))
                for n in (1, 2, 3)
            ),
            f.order_link(customer.customer_id, before, last_seen=f.NOW - timedelta(days=900)),
        ],
    )
    html, rows = page_of(agent_client, customer.customer_id)
    assert rows == [today, before, number(1)]
    assert "4 numbers, showing 1–2." in html and "same number as above" in html
    html, rows = page_of(agent_client, customer.customer_id, numbers_page=2)
    assert rows == [number(2), number(3)]
    assert "4 numbers, showing 3–4." in html


def test_a_large_account_is_ranked_on_a_projection_and_its_page_read_whole(
    moto_table, agent_client, monkeypatch
):
    """Past the first whole items, an account's links are read with only what ranking needs;
    the page's links are then read whole: their recent orders are all shown."""
    monkeypatch.setattr("lookup.repository.links.FULL_ITEMS_READ", 5)
    account = f.profile(name="Call Centre Operator")
    links = [
        f.order_link(
            account.customer_id,
            f"+4479460{n:05d}",
            last_seen=f.NOW - timedelta(days=n + 1),
            recent_orders=f.recent(
                *(f"ord_{n}_{k}" for k in range(4)), last_seen=f.NOW - timedelta(days=n + 1)
            ),
        )
        for n in range(40)
    ]
    store(moto_table, profiles=[account], links=links)
    with count_requests(moto_table) as log:
        html, _ = page_of(agent_client, account.customer_id)
    # The two partitions (the large one paged: whole items, then projected), one BatchGetItem
    # for the page's links, and one Query for each of the page's 25 order-linked numbers (have
    # they passed to another customer?), sent at the same time.
    assert log.counts["BatchGetItem"] == 1 and log.counts["Query"] == 3 + 25
    # The most recent number first, each with its four recent orders, read whole.
    assert html.index("+44 7946 000000") < html.index("+44 7946 000001")
    for k in range(4):
        assert f"ord_0_{k}" in html and f"ord_24_{k}" in html
    assert "ord_25_0" not in html  # the next page's
