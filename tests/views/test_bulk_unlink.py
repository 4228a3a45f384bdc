"""A lead's bulk unlink with undo: from a shared number's results or a posted list of links,
previewed, confirmed with one reason, and undone as a whole."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lookup.access.roles import SUPPORT_LEAD
from lookup.audit import AuditContext
from lookup.bulk_models import BulkUnlink, BulkUnlinkItem
from lookup.domain.decisions import LinkDecision
from lookup.domain.errors import DirectoryUnavailable
from lookup.domain.evidence import OrderSeen
from lookup.domain.links import LinkChange
from lookup.domain.times import format_timestamp
from lookup.models import AuditEntry, ReviewItem
from lookup.repository import LinkRepository
from lookup.repository.records import records_put
from lookup.services.ingestion import order_link_record
from lookup.services.links import link_decide
from lookup.services.review import review_numbers_refresh
from tests import factories as f
from tests.conftest import _person, count_requests
from tests.lookups import found, store, stored_link, tombstone

DESK = "+442079460018"
SEARCH = reverse("lookup:search")
PREVIEW = reverse("lookup:bulk_preview")
CONFIRM = reverse("lookup:bulk_confirm")
LONG_AGO = f.NOW - timedelta(days=700)
BEFORE = (f.NOW - timedelta(days=365)).date().isoformat()


@pytest.fixture(autouse=True)
def _no_lookup_limit(settings):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0


@pytest.fixture
def desk(moto_table):
    """An office desk number: Ann, Ben and Cat ordered to it two years ago, Dan last week;
    Eve has it on her profile and an old order; Fay's old order is a legacy record; Gus's is
    a record as the users service writes it (keys and createdAt only), two years old."""
    people = {
        name: f.profile(f"cust-{name.lower()}", name=name)
        for name in ("Ann", "Ben", "Cat", "Dan", "Eve", "Fay", "Gus")
    }
    old = {"first_seen": LONG_AGO - timedelta(days=30), "last_seen": LONG_AGO}
    links = [
        f.order_link(people["Ann"].customer_id, DESK, **old),
        f.order_link(
            people["Ben"].customer_id,
            DESK,
            first_seen=LONG_AGO,
            last_seen=LONG_AGO + timedelta(days=1),
        ),
        f.order_link(people["Cat"].customer_id, DESK, **old),
        f.order_link(people["Dan"].customer_id, DESK),
        f.profile_link(people["Eve"].customer_id, DESK),
        f.order_link(people["Eve"].customer_id, DESK, **old),
        f.legacy_link(people["Fay"].customer_id, DESK, LONG_AGO),
    ]
    gus = f.order_link(people["Gus"].customer_id, DESK, first_seen=LONG_AGO)
    records_put(table=moto_table, profiles=people.values(), links=links, design_links=[gus])
    return {name: person.customer_id for name, person in people.items()}


def preview(client: Client, *, phone: str = DESK, before: str = BEFORE):
    return client.get(PREVIEW, {"phone": phone, "before": before})


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def confirm(client: Client, token: str, reason: str = "number_reassigned", details: str = ""):
    return client.post(CONFIRM, {"token": token, "reason": reason, "details": details})


def previewed_ids(response) -> list[str]:
    return sorted(row.key.customer_id for row in response.context["preview"].rows)


def batch_of(response) -> BulkUnlink:
    batch_id = int(re.search(r"/bulk/(\d+)/", response.url).group(1))
    return BulkUnlink.objects.get(pk=batch_id)


def test_a_leads_results_of_a_shared_number_offer_the_bulk_unlink(lead_client, agent_client, desk):
    html = lead_client.get(SEARCH, {"phone": DESK, "country": "GB"}).content.decode()
    assert f'action="{PREVIEW}"' in html and 'name="before"' in html
    assert (
        f'action="{PREVIEW}"'
        not in agent_client.get(SEARCH, {"phone": DESK, "country": "GB"}).content.decode()
    )


def test_the_preview_is_exactly_what_is_unlinked(lead_client, desk, lead):
    shown = preview(lead_client)
    assert shown.status_code == 200
    expected = sorted(desk[name] for name in ("Ann", "Ben", "Cat", "Eve", "Fay", "Gus"))
    assert previewed_ids(shown) == expected
    html = shown.content.decode()
    # Profile phones are never unlinked: Eve's is listed apart, with why.
    assert "1 link will be left alone" in html and "phone on the customer" in html

    response = confirm(lead_client, token_of(shown), details="Ticket 77")
    assert response.status_code == 302
    batch = batch_of(response)
    assert (batch.unlinked, batch.skipped) == (6, 0)
    unlinked = sorted(
        batch.items.filter(outcome=BulkUnlinkItem.Outcome.UNLINKED).values_list(
            "customer_id", flat=True
        )
    )
    assert unlinked == expected
    # Searches list only Dan (recent) and Eve (her profile phone).
    assert sorted(found(DESK)) == sorted([desk["Dan"], desk["Eve"]])
    page = lead_client.get(response.url).content.decode()
    assert "6 links unlinked." in page
    assert "1 customer is still found by a search of the number" in page
    assert stored_link(desk["Gus"], DESK).unlink.reason == (
        "Number reassigned to someone else: Ticket 77"
    )
    legacy = stored_link(desk["Fay"], DESK, format_timestamp(LONG_AGO))
    assert legacy is not None and not legacy.is_active


def test_a_link_changed_after_the_preview_is_skipped_and_left_as_it_is(lead_client, desk):
    shown = preview(lead_client)
    # Ben orders again to the desk between the preview and the confirm.
    order_link_record(
        order=OrderSeen(
            order_id="ord_new",
            customer_id=desk["Ben"],
            phone=DESK,
            country="GB",
            created_at=f.NOW - timedelta(days=1),
        )
    )
    before = stored_link(desk["Ben"], DESK)
    batch = batch_of(confirm(lead_client, token_of(shown)))
    assert (batch.unlinked, batch.skipped) == (5, 1)
    skipped = batch.items.get(outcome=BulkUnlinkItem.Outcome.SKIPPED)
    assert (skipped.customer_id, skipped.why) == (desk["Ben"], "changed")
    assert stored_link(desk["Ben"], DESK) == before
    assert desk["Ben"] in found(DESK)
    page = lead_client.get(reverse("lookup:bulk_batch", args=[batch.pk])).content.decode()
    assert "it changed since the preview" in page


def test_undo_restores_exactly_the_batch_and_skips_a_link_restored_by_hand(lead_client, desk, lead):
    # Cat was unlinked before the batch: not part of it, and the undo leaves her unlinked.
    tombstone(customer_id=desk["Cat"], phone=DESK, change=LinkChange(f.NOW, "kim", "Earlier"))
    batch = batch_of(confirm(lead_client, token_of(preview(lead_client))))
    assert batch.unlinked == 5
    # Ann is restored by hand meanwhile.
    link_decide(
        kind=LinkDecision.RESTORE,
        link=stored_link(desk["Ann"], DESK),
        expected_version=None,
        reason="Ann called",
        audit=AuditContext(user=lead),
    )
    # Ben is restored by hand and unlinked again, for another reason: not the batch's unlink.
    for kind in (LinkDecision.RESTORE, LinkDecision.UNLINK):
        link_decide(
            kind=kind,
            link=stored_link(desk["Ben"], DESK),
            expected_version=None,
            reason="Ben's own case",
            audit=AuditContext(user=lead),
        )
    response = lead_client.post(reverse("lookup:bulk_undo", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.restored, batch.undo_skipped) == (3, 2)
    assert batch.items.get(customer_id=desk["Ann"]).undo_why == "relinked"
    assert batch.items.get(customer_id=desk["Ben"]).undo_why == "unlinked_again"
    assert sorted(found(DESK)) == sorted(desk[name] for name in ("Ann", "Dan", "Eve", "Fay", "Gus"))
    assert not stored_link(desk["Cat"], DESK).is_active
    assert stored_link(desk["Ben"], DESK).unlink.reason == "Ben's own case"
    page = lead_client.get(response.url).content.decode()
    assert "3 links restored" in page and "2 links were not restored" in page

    # A second undo changes nothing and says so.
    again = lead_client.post(reverse("lookup:bulk_undo", args=[batch.pk]), follow=True)
    assert "already undone by <bdi>leo.lead</bdi>" in again.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.BULK_UNDO).count() == 1
    assert (
        AuditEntry.objects.filter(
            action=AuditEntry.Action.RESTORE, reason__startswith="Undo"
        ).count()
        == 3
    )


def test_the_audit_trail_has_each_link_and_the_batch(lead_client, desk, lead):
    batch = batch_of(confirm(lead_client, token_of(preview(lead_client))))
    unlinks = AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK)
    assert sorted(unlinks.values_list("customer_id", flat=True)) == sorted(
        desk[name] for name in ("Ann", "Ben", "Cat", "Eve", "Fay", "Gus")
    )
    assert all(f"bulk unlink {batch.pk}" in entry.reason for entry in unlinks)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BULK_UNLINK)
    assert (entry.user, entry.result_count, entry.subject) == (lead, 6, f"bulk unlink {batch.pk}")
    assert "6 unlinked, 0 skipped" in entry.reason


def test_the_cap_holds_the_oldest_and_says_how_many_more_match(lead_client, desk, settings):
    settings.BULK_UNLINK_MAX_LINKS = 3
    shown = preview(lead_client)
    # Oldest first: five links were last seen 700 days ago, Ben's a day later: not his.
    rows = shown.context["preview"].rows
    assert len(rows) == 3 and desk["Ben"] not in {row.key.customer_id for row in rows}
    html = shown.content.decode()
    assert "6 links match, and one bulk unlink takes at most 3." in html
    assert "the 3 links last seen longest ago; 3 more are not part of it" in html
    batch = batch_of(confirm(lead_client, token_of(shown)))
    assert batch.unlinked == 3 and batch.items.count() == 3


def test_links_without_a_date_are_left_out_and_said_so(lead_client, moto_table):
    ann, bob = f.profile("cust-ann"), f.profile("cust-bob")
    store(
        moto_table,
        profiles=[ann, bob],
        links=[
            f.order_link(ann.customer_id, DESK, **{"first_seen": None, "last_seen": None}),
            f.order_link(bob.customer_id, DESK, first_seen=LONG_AGO, last_seen=LONG_AGO),
        ],
    )
    shown = preview(lead_client)
    assert previewed_ids(shown) == [bob.customer_id]
    assert "no order date on record" in shown.content.decode()


def test_a_posted_list_is_previewed_and_bad_keys_are_a_clear_error(lead_client, desk):
    keys = [f"{DESK}|{desk['Dan']}", f"{DESK}|{desk['Fay']}|{format_timestamp(LONG_AGO)}"]
    shown = lead_client.post(PREVIEW, {"link": keys, "back": "/review/"})
    assert previewed_ids(shown) == sorted([desk["Dan"], desk["Fay"]])
    assert 'href="/review/"' in shown.content.decode()
    bad = lead_client.post(PREVIEW, {"link": [*keys, "07700 900461"]})
    assert bad.status_code == 400
    assert "“07700 900461” does not name a link" in bad.content.decode()
    gone = lead_client.post(PREVIEW, {"link": [f"{DESK}|cust-nobody"]})
    assert "the link no longer exists" in gone.content.decode()
    assert not gone.context["preview"].rows


def test_the_reason_is_required_and_nothing_is_lost(lead_client, desk):
    shown = preview(lead_client)
    response = lead_client.post(CONFIRM, {"token": token_of(shown), "reason": "other"})
    assert response.status_code == 400
    assert "Explain the reason" in response.content.decode()
    assert not BulkUnlink.objects.exists()
    assert len(found(DESK)) == 7


def test_the_same_preview_confirmed_twice_is_one_batch(lead_client, desk):
    token = token_of(preview(lead_client))
    first = confirm(lead_client, token)
    second = confirm(lead_client, token)
    assert second.url == first.url
    assert BulkUnlink.objects.count() == 1


def test_a_tampered_token_changes_nothing(lead_client, desk):
    token = token_of(preview(lead_client))
    assert confirm(lead_client, token[:-2] + "xx").status_code == 400
    assert not BulkUnlink.objects.exists()


def test_agents_are_refused_every_bulk_page(agent_client, lead_client, desk):
    token = token_of(preview(lead_client))
    batch = batch_of(confirm(lead_client, token_of(preview(lead_client))))
    assert preview(agent_client).status_code == 403
    assert agent_client.post(PREVIEW, {"link": [f"{DESK}|{desk['Dan']}"]}).status_code == 403
    assert confirm(agent_client, token).status_code == 403
    assert agent_client.get(reverse("lookup:bulk_batch", args=[batch.pk])).status_code == 403
    assert agent_client.post(reverse("lookup:bulk_undo", args=[batch.pk])).status_code == 403
    batch.refresh_from_db()
    assert batch.undone_at is None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PERMISSION_DENIED).count() == 5


def test_confirm_and_undo_need_the_csrf_token(lead, lead_client, desk):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(lead)
    token = token_of(browser.get(PREVIEW, {"phone": DESK, "before": BEFORE}))
    assert confirm(browser, token).status_code == 403
    assert not BulkUnlink.objects.exists()
    batch = batch_of(confirm(lead_client, token))
    assert browser.post(reverse("lookup:bulk_undo", args=[batch.pk])).status_code == 403
    batch.refresh_from_db()
    assert batch.undone_at is None


def test_bulk_actions_are_rate_limited_per_lead(lead_client, desk, settings, monkeypatch):
    settings.BULK_UNLINKS_PER_HOUR = 1
    pinned = timezone.now().replace(minute=5, second=5, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: pinned)
    batch = batch_of(confirm(lead_client, token_of(preview(lead_client))))
    refused = lead_client.post(reverse("lookup:bulk_undo", args=[batch.pk]))
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "more than 1 bulk unlinks and undos in an hour" in refused.content.decode()
    batch.refresh_from_db()
    assert batch.undone_at is None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RATE_LIMITED).count() == 1


def test_the_audit_list_links_the_batch_entry_to_its_page(admin_client_, lead_client, desk):
    batch = batch_of(confirm(lead_client, token_of(preview(lead_client))))
    html = admin_client_.get(reverse("admin:lookup_auditentry_changelist")).content.decode()
    assert f'href="{reverse("lookup:bulk_batch", args=[batch.pk])}"' in html


def test_a_design_shaped_record_keeps_what_its_writer_stored_through_unlink_and_undo(
    lead_client, desk, moto_table
):
    key = {"pk": f"phone_user#{desk['Gus']}", "sk": f"phone#{DESK}"}
    assert "version" not in moto_table.get(key)
    batch = batch_of(confirm(lead_client, token_of(preview(lead_client))))
    item = batch.items.get(customer_id=desk["Gus"])
    assert (item.version_shown, item.version_left) == (0, 1)
    assert moto_table.get(key)["pk2"] == f"unlinked#phone#{DESK}"
    lead_client.post(reverse("lookup:bulk_undo", args=[batch.pk]))
    stored = moto_table.get(key)
    assert stored["pk2"] == f"phone#{DESK}"
    assert stored["createdAt"] == format_timestamp(LONG_AGO)
    assert desk["Gus"] in found(DESK)


def test_what_a_preview_and_a_confirm_cost_in_dynamodb_requests(lead_client, desk, moto_table):
    with count_requests(moto_table) as previewing:
        shown = preview(lead_client)
    # One Query of the number, a consistent GetItem per link offered, one BatchGetItem of names.
    assert previewing.counts == {"Query": 1, "GetItem": 6, "BatchGetItem": 1}
    with count_requests(moto_table) as confirming:
        confirm(lead_client, token_of(shown))
    # One conditional UpdateItem per link; one Query per form of the number for what searches
    # still find (a UK number has one form), and one per number the batch changed, for the
    # review queue's re-evaluation of it.
    assert confirming.counts == {"UpdateItem": 6, "Query": 2}


def test_a_posted_list_over_the_cap_holds_the_first_in_its_order(lead_client, desk, settings):
    settings.BULK_UNLINK_MAX_LINKS = 2
    keys = [f"{DESK}|{desk[name]}" for name in ("Dan", "Ann", "Ben")]
    shown = lead_client.post(PREVIEW, {"link": keys})
    assert [row.key.customer_id for row in shown.context["preview"].rows] == [
        desk["Dan"],
        desk["Ann"],
    ]
    assert "the first 2 links in the order given; 1 more is not part of it" in (
        shown.content.decode()
    )


def test_a_preview_over_an_hour_old_is_shown_again_and_nothing_unlinked(
    lead_client, desk, monkeypatch
):
    token = token_of(preview(lead_client))
    monkeypatch.setattr("lookup.bulk_forms.TOKEN_MAX_AGE_SECONDS", -1)
    response = confirm(lead_client, token)
    assert response.status_code == 200
    assert "more than an hour old, so nothing was unlinked" in response.content.decode()
    assert not BulkUnlink.objects.exists() and len(found(DESK)) == 7


def test_nothing_to_unlink_says_so(lead_client, desk):
    shown = preview(lead_client, before="2020-01-01")
    html = shown.content.decode()
    assert "Nothing to unlink" in html and 'name="token"' not in html


def test_an_outage_after_the_writes_loses_no_audit_entry_and_claims_nothing(
    lead_client, desk, monkeypatch
):
    shown = preview(lead_client)

    def unavailable(self, *, phone):
        raise DirectoryUnavailable("the index Query timed out")

    monkeypatch.setattr(LinkRepository, "links_of_number", unavailable)
    batch = batch_of(confirm(lead_client, token_of(shown)))
    assert batch.unlinked == 6 and not batch.still_found_known
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UNLINK).count() == 6
    page = lead_client.get(reverse("lookup:bulk_batch", args=[batch.pk])).content.decode()
    assert "a customer also linked to the number another way is still found" in page
    assert "no longer list these customers" not in page


def test_a_bulk_unlink_and_its_undo_keep_the_review_queue_true(lead_client, desk, moto_table):
    """The batch's links leave the review queue with it, and come back with its undo."""
    review_numbers_refresh(phones=[DESK])
    queued = set(ReviewItem.objects.filter(phone=DESK).values_list("customer_id", flat=True))
    assert queued  # the desk's old links are in the queue before the batch
    shown = preview(lead_client)
    unlinked = {row.key.customer_id for row in shown.context["preview"].rows}
    assert queued & unlinked

    batch = batch_of(confirm(lead_client, token_of(shown)))
    after_batch = set(ReviewItem.objects.filter(phone=DESK).values_list("customer_id", flat=True))
    lead_client.post(reverse("lookup:bulk_undo", args=[batch.pk]))
    after_undo = set(ReviewItem.objects.filter(phone=DESK).values_list("customer_id", flat=True))

    assert not after_batch & unlinked
    assert after_undo == queued


def test_a_link_the_lagging_index_still_dates_old_is_judged_on_its_fresh_read(
    lead_client, desk, moto_table, monkeypatch
):
    """The index a number's preview selects from lags writes: Ann's order of an hour ago is
    not in it yet. Her link, read afresh for the preview, is left alone, never unlinked."""
    before_the_order = LinkRepository(moto_table).links_of_number(phone=DESK)
    order_link_record(
        order=OrderSeen(
            order_id="ord_ann_new",
            customer_id=desk["Ann"],
            phone=DESK,
            country="GB",
            created_at=f.NOW - timedelta(hours=1),
        )
    )
    monkeypatch.setattr(LinkRepository, "links_of_number", lambda self, *, phone: before_the_order)

    shown = preview(lead_client)

    assert desk["Ann"] not in previewed_ids(shown)
    left = {row.key.customer_id: row.why.value for row in shown.context["preview"].left_alone}
    assert left[desk["Ann"]] == "seen_since"
    assert "an order carried it since that date" in shown.content.decode()


def test_an_undo_never_restores_another_leads_unlink_of_a_link_whose_write_went_unanswered(
    lead_client, lead, desk, monkeypatch
):
    """Ann's write got no answer (it did not apply); another lead then unlinked her by hand,
    which leaves the version the batch's write would have. The undo restores only the batch's
    own tombstones: Ann stays unlinked, with the other lead's reason."""
    shown = preview(lead_client)
    save = LinkRepository.link_state_save

    def unanswered_for_ann(self, *, link, **kwargs):
        if link.customer_id == desk["Ann"]:
            raise DirectoryUnavailable("no answer")
        return save(self, link=link, **kwargs)

    monkeypatch.setattr(LinkRepository, "link_state_save", unanswered_for_ann)
    batch = batch_of(confirm(lead_client, token_of(shown)))
    monkeypatch.setattr(LinkRepository, "link_state_save", save)
    assert stored_link(desk["Ann"], DESK).is_active  # the write did not apply
    link_decide(
        kind=LinkDecision.UNLINK,
        link=stored_link(desk["Ann"], DESK),
        expected_version=None,
        reason="Ann asked us",
        audit=AuditContext(user=lead),
    )

    lead_client.post(reverse("lookup:bulk_undo", args=[batch.pk]))

    ann = stored_link(desk["Ann"], DESK)
    assert not ann.is_active and ann.unlink.reason == "Ann asked us"
    assert stored_link(desk["Ben"], DESK).is_active  # the batch's own unlinks are undone


def test_every_look_at_a_preview_or_a_batch_names_the_customers_it_showed(lead_client, desk):
    shown = preview(lead_client)
    batch = batch_of(confirm(lead_client, token_of(shown)))
    lead_client.get(reverse("lookup:bulk_batch", args=[batch.pk]))

    previewed_entry = AuditEntry.objects.get(action=AuditEntry.Action.BULK_PREVIEW)
    viewed = AuditEntry.objects.get(action=AuditEntry.Action.BULK_VIEWED)
    for customer_id in previewed_ids(shown):
        assert f"{customer_id}@{DESK}" in previewed_entry.reason
        assert f"{customer_id}@{DESK}" in viewed.reason
    assert viewed.subject == batch.subject and viewed.user.username == "leo.lead"


def test_a_preview_is_confirmed_only_by_the_lead_it_was_shown_to(lead_client, desk, db):
    """The signed preview is bound to its lead: another lead posting it unlinks nothing."""
    token = token_of(preview(lead_client))
    other = Client()
    other.force_login(_another_lead())

    response = confirm(other, token)

    assert not BulkUnlink.objects.exists()
    assert stored_link(desk["Ann"], DESK).is_active
    assert response.status_code == 400


def test_the_bulk_rate_limit_counts_each_lead_apart(lead_client, desk, settings, monkeypatch):
    settings.BULK_UNLINKS_PER_HOUR = 1
    monkeypatch.setattr(timezone, "now", lambda: f.NOW)
    confirm(lead_client, token_of(preview(lead_client)))
    other = Client()
    other.force_login(_another_lead())

    response = confirm(other, token_of(preview(other, before=f.NOW.date().isoformat())))

    assert response.status_code == 302  # the second lead's first bulk unlink of the hour
    assert BulkUnlink.objects.count() == 2


def _another_lead():
    return _person("nia.lead", role=SUPPORT_LEAD)


def test_the_queue_follows_a_batch_the_index_does_not_show_yet(
    lead_client, desk, moto_table, monkeypatch
):
    """The refresh after a batch lays the links as written over the index's lagging read."""
    review_numbers_refresh(phones=[DESK])
    shown = preview(lead_client)
    unlinked = set(previewed_ids(shown))
    before_the_batch = LinkRepository(moto_table).links_of_number(phone=DESK)
    monkeypatch.setattr(LinkRepository, "links_of_number", lambda self, *, phone: before_the_batch)

    confirm(lead_client, token_of(shown))

    queued = set(ReviewItem.objects.filter(phone=DESK).values_list("customer_id", flat=True))
    assert unlinked and not queued & unlinked
