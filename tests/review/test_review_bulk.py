"""From the review queue to a bulk unlink: the rows a lead selects, or every row the filter
matches, previewed exactly, unlinked, and gone from the queue (the bulk rules themselves:
tests/views/test_bulk_unlink.py)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from lookup.domain.evidence import OrderSeen
from lookup.models import ReviewItem
from lookup.services.ingestion import order_link_record
from lookup.services.review import review_numbers_refresh
from tests import factories as f
from tests.factories import NOW
from tests.lookups import found, store, stored_link

DESK = "+442079460018"
BR = "+5511912345678"
QUEUE = reverse("lookup:review")
ALL_MATCHING = reverse("lookup:bulk_queue_preview")
PREVIEW = reverse("lookup:bulk_preview")
CONFIRM = reverse("lookup:bulk_confirm")


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0


@pytest.fixture
def queue(moto_table, db):
    """A reception desk that four old customers left for Zoe (each superseded), and a quiet
    Brazilian number (possibly stale)."""
    old = ("ana", "ben", "cat", "dan")
    store(
        moto_table,
        profiles=[f.profile(f"cust-{name}", name=name.title()) for name in (*old, "zoe", "caio")],
        links=[
            *(
                f.order_link(
                    f"cust-{name}",
                    DESK,
                    first_seen=NOW - timedelta(days=900),
                    last_seen=NOW - timedelta(days=300 + 10 * index),
                )
                for index, name in enumerate(old)
            ),
            f.order_link("cust-zoe", DESK, first_seen=NOW - timedelta(days=50), last_seen=NOW),
            f.order_link(
                "cust-caio",
                BR,
                first_seen=NOW - timedelta(days=1500),
                last_seen=NOW - timedelta(days=800),
            ),
        ],
    )
    review_numbers_refresh(phones=[DESK, BR])
    return old


def previewed(response) -> list[str]:
    return [row.key.customer_id for row in response.context["preview"].rows]


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def queued() -> set[str]:
    return set(ReviewItem.objects.values_list("customer_id", flat=True))


def test_all_matching_the_filter_are_previewed_in_the_queues_order_then_unlinked(
    lead_client, queue
):
    page = lead_client.get(QUEUE, {"reason": "superseded"})
    assert "Unlink all 4 links matching this filter" in page.content.decode()

    preview = lead_client.get(ALL_MATCHING, {"reason": "superseded"})
    # The oldest first, as the queue lists them; the stale Brazilian number is not in the filter.
    assert previewed(preview) == ["cust-dan", "cust-cat", "cust-ben", "cust-ana"]
    done = lead_client.post(CONFIRM, {"token": token_of(preview), "reason": "number_reassigned"})

    assert done.status_code == 302
    assert found(DESK) == ["cust-zoe"]
    assert queued() == {"cust-caio"}
    back = lead_client.get(done.url)
    assert "4 links unlinked" in back.content.decode()


def test_the_queues_cap_previews_the_first_and_says_how_many_wait(lead_client, queue, settings):
    settings.BULK_UNLINK_MAX_LINKS = 3

    offer = lead_client.get(QUEUE).content.decode()
    preview = lead_client.get(ALL_MATCHING)

    # The offer promises no more than one action takes.
    assert "Unlink the first 3 of these 5 links…" in offer and "Unlink all" not in offer

    assert previewed(preview) == ["cust-dan", "cust-cat", "cust-ben"]
    assert preview.context["preview"].over_cap == 2
    page = preview.content.decode()
    assert "The 5 links of the review queue that the filter matches, in the queue's order." in page
    assert "This preview holds the queue's first 3; 2 more are not part of it" in page


def test_the_rows_a_lead_selects_are_previewed_and_nothing_else(lead_client, queue):
    page = lead_client.get(QUEUE).content.decode()
    values = re.findall(r'name="link" value="([^"]+)"', page)
    chosen = [value for value in values if "cust-ana" in value or "cust-caio" in value]
    back = re.search(r'name="back" value="([^"]+)"', page).group(1)

    preview = lead_client.post(PREVIEW, {"link": chosen, "back": back})

    assert sorted(previewed(preview)) == ["cust-ana", "cust-caio"]
    assert f'href="{QUEUE}"' in preview.content.decode()  # the way back is the queue


def test_agents_cannot_preview_the_queue(agent_client, queue):
    assert agent_client.get(ALL_MATCHING).status_code == 403


def test_a_row_the_queue_judged_before_a_new_order_is_left_alone(lead_client, queue):
    """Ana ordered an hour ago and the queue was not refreshed (the ingestion hook off, or its
    refresh lost): "all matching" must not unlink her on the queue's older word."""
    order_link_record(
        order=OrderSeen(
            order_id="ord_ana_new",
            customer_id="cust-ana",
            phone=DESK,
            country="GB",
            created_at=NOW - timedelta(hours=1),
        )
    )
    assert "cust-ana" in queued()  # the queue still lists her

    preview = lead_client.get(ALL_MATCHING, {"reason": "superseded"})
    left = {row.key.customer_id: row.why.value for row in preview.context["preview"].left_alone}
    lead_client.post(CONFIRM, {"token": token_of(preview), "reason": "number_reassigned"})

    assert left == {"cust-ana": "changed_since_queued"}
    assert "cust-ana" not in previewed(preview)
    assert stored_link("cust-ana", DESK).is_active


def test_a_ticked_row_whose_link_changed_since_the_page_was_shown_is_left_alone(lead_client, queue):
    """The page posts the version it judged each row at: Ana ordering between the page and
    the preview leaves her link alone, Ben's still goes."""
    page = lead_client.get(QUEUE).content.decode()
    values = re.findall(r'name="link" value="([^"]+)"', page)
    chosen = [value for value in values if "cust-ana" in value or "cust-ben" in value]
    versions = re.findall(r'name="queued" value="([^"]+)"', page)
    order_link_record(
        order=OrderSeen(
            order_id="ord_ana_new",
            customer_id="cust-ana",
            phone=DESK,
            country="GB",
            created_at=NOW - timedelta(hours=1),
        )
    )

    preview = lead_client.post(PREVIEW, {"link": chosen, "queued": versions, "back": QUEUE})

    assert previewed(preview) == ["cust-ben"]
    left = {row.key.customer_id: row.why.value for row in preview.context["preview"].left_alone}
    assert left == {"cust-ana": "changed_since_queued"}
