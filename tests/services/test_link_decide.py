"""Unlink and restore (`link_decide`), on moto and dynalite: single-item conditional writes."""

from datetime import timedelta

import pytest

from lookup.domain import (
    LinkAlreadyUnlinked,
    LinkChange,
    LinkChanged,
    LinkNotFound,
    LinkNotUnlinked,
    LinkSource,
)
from lookup.domain.decisions import LinkDecision
from lookup.domain.evidence import LinkOutcome, OrderSeen
from lookup.models import AuditEntry
from lookup.services.ingestion import order_link_record
from tests import factories as f
from tests.lookups import decide, found, links_of, store, stored_link

DESK = "+442079460018"
UNLINK, RESTORE = LinkDecision.UNLINK, LinkDecision.RESTORE
BY_LEO = LinkChange(at=f.NOW, by="leo.lead", reason="Number reassigned")


@pytest.fixture
def sam(table):
    customer = f.profile(name="Sam")
    store(table, profiles=[customer], links=[f.order_link(customer.customer_id, DESK)])
    return customer.customer_id


def test_unlink_tombstones_the_link_and_keeps_its_evidence(table, sam, lead):
    unlinked = decide(UNLINK, customer_id=sam, phone=DESK, by=lead, reason="Number reassigned")

    assert found(DESK) == []
    assert unlinked.unlink == BY_LEO and unlinked.version == 1
    [kept] = links_of(sam)
    assert kept.unlink == BY_LEO
    assert kept.order_count == 3 and kept.recent_order_ids == ("ord_a1", "ord_a2", "ord_a3")
    raw = table.client.get_item(
        TableName=table.name,
        Key={"pk": {"S": f"phone_user#{sam}"}, "sk": {"S": f"phone#{DESK}"}},
    )["Item"]
    # Out of the number's partition, into its tombstones' (the lead's hint reads them there).
    assert raw["pk2"] == {"S": f"unlinked#phone#{DESK}"}
    assert raw["sk2"] == {"S": f"phone_user#{sam}"}
    assert raw["unlinkedBy"] == {"S": "leo.lead"}
    assert raw["unlinkReason"] == {"S": "Number reassigned"}
    [entry] = AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK)
    assert (entry.actor, entry.customer_id, entry.phone) == ("leo.lead", sam, DESK)
    assert entry.reason == "Number reassigned"


def test_a_second_unlink_is_refused_with_the_first_ones_details(table, sam, lead, agent):
    decide(UNLINK, customer_id=sam, phone=DESK, by=lead, reason="Reassigned", expected_version=0)
    with pytest.raises(LinkAlreadyUnlinked) as refused:
        decide(UNLINK, customer_id=sam, phone=DESK, by=agent, reason="Wrong", expected_version=0)
    assert refused.value.link.unlink.by == "leo.lead"
    assert stored_link(sam, DESK).version == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK).count() == 1


def test_an_unlink_based_on_an_outdated_view_is_refused(table, sam, lead):
    order_link_record(
        order=OrderSeen(
            order_id="ord_new", customer_id=sam, phone=DESK, country="GB", created_at=f.NOW
        )
    )
    with pytest.raises(LinkChanged) as refused:
        decide(UNLINK, customer_id=sam, phone=DESK, by=lead, reason="Gone", expected_version=0)
    assert refused.value.link.version == 1
    assert found(DESK) == [sam]


def test_a_restore_of_the_version_shown_before_a_late_order_is_refused_as_changed(table, sam, lead):
    # The order from before the unlink is kept on the tombstone, at a new version: the lead
    # who restores from the page shown before it learns the link changed.
    decide(UNLINK, customer_id=sam, phone=DESK, by=lead, reason="Reassigned")
    shown = stored_link(sam, DESK).version
    late = OrderSeen(
        order_id="ord_late",
        customer_id=sam,
        phone=DESK,
        country="IE",
        created_at=f.NOW - timedelta(days=5),
    )
    assert order_link_record(order=late, now=f.NOW) is LinkOutcome.KEPT_UNLINKED
    with pytest.raises(LinkChanged) as refused:
        decide(RESTORE, customer_id=sam, phone=DESK, by=lead, reason="Back", expected_version=shown)
    assert refused.value.link.version == shown + 1
    assert "ord_late" in refused.value.link.recent_order_ids
    assert found(DESK) == []


def test_unknown_links_cannot_be_unlinked_or_restored(table, sam, lead):
    with pytest.raises(LinkNotFound):
        decide(UNLINK, customer_id="nobody", phone=DESK, by=lead, reason="Gone")
    with pytest.raises(LinkNotFound):
        decide(RESTORE, customer_id="nobody", phone=DESK, by=lead, reason="Back")
    assert not table.client.get_item(
        TableName=table.name,
        Key={"pk": {"S": "phone_user#nobody"}, "sk": {"S": f"phone#{DESK}"}},
    ).get("Item")
    assert not AuditEntry.objects.exists()


def test_restore_puts_the_link_back_in_search(table, sam, lead):
    decide(UNLINK, customer_id=sam, phone=DESK, by=lead, reason="Reassigned")
    restored = decide(
        RESTORE, customer_id=sam, phone=DESK, by=lead, reason="Mistake", expected_version=1
    )
    assert restored.is_active and restored.restore.reason == "Mistake"
    assert found(DESK) == [sam]
    with pytest.raises(LinkNotUnlinked):
        decide(RESTORE, customer_id=sam, phone=DESK, by=lead, reason="Again")


def test_legacy_records_unlink_and_restore_by_their_own_key(table, lead):
    created = f.NOW.replace(year=2023)
    store(table, links=[f.legacy_link("old", DESK, created)])
    [legacy] = links_of("old")
    assert legacy.source is LinkSource.LEGACY

    decide(
        UNLINK,
        customer_id="old",
        phone=DESK,
        legacy_id=legacy.legacy_id,
        expected_version=0,
        by=lead,
        reason="Reassigned",
    )
    assert found(DESK) == []
    decide(
        RESTORE,
        customer_id="old",
        phone=DESK,
        legacy_id=legacy.legacy_id,
        expected_version=1,
        by=lead,
        reason="Mistake",
    )
    assert found(DESK) == ["old"]


def test_an_unlink_resent_after_a_lost_response_counts_as_done(table, sam, lead):
    resent = {"left": 1}

    def lose_first_response(attempts, **kwargs):
        # What botocore does when a response times out: send the same request again.
        if resent["left"]:
            resent["left"] -= 1
            return 0
        return None

    table.client.meta.events.register_first("needs-retry.dynamodb.UpdateItem", lose_first_response)
    unlinked = decide(
        UNLINK, customer_id=sam, phone=DESK, by=lead, reason="Number reassigned", expected_version=0
    )

    assert resent["left"] == 0
    assert unlinked.unlink == BY_LEO and unlinked.version == 1
    assert found(DESK) == []
