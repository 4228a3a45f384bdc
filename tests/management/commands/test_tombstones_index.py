"""`tombstones_index` on both backends: tombstones from before `unlinked#phone#` partitions
(no pk2) moved there, so a lead's search hints at them; a dry run by default, idempotent,
resumable."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lookup.domain import DirectoryUnavailable
from lookup.domain.times import format_timestamp
from lookup.phones import phone_from_e164
from lookup.repository import TombstoneRepository
from lookup.repository.dynamo import serialize
from lookup.selectors.numbers import customers_of_number
from tests import factories as f
from tests.factories import NOW
from tests.lookups import found, store

DESK = "+442079460018"
LEGACY_AT = format_timestamp(NOW - timedelta(days=400))


def run(*args) -> str:
    out = StringIO()
    call_command("tombstones_index", "--no-progress", *args, stdout=out)
    return out.getvalue()


def put_raw(table, item: dict) -> None:
    table.client.put_item(TableName=table.name, Item=serialize(item))


def raw(table, pk: str, sk: str) -> dict:
    return table.get({"pk": pk, "sk": sk})


def hinted() -> list[tuple[str, str | None]]:
    page = customers_of_number(number=phone_from_e164(DESK), page_size=25, include_unlinked=True)
    return sorted((hint.customer_id, hint.change.by) for hint in page.unlinked)


@pytest.fixture
def old_tombstones(table):
    """Tombstones as earlier code left them (keys removed), beside a live link and things the
    command must leave alone."""
    store(
        table,
        profiles=[f.profile("cust-live"), f.profile("cust-old"), f.profile("cust-leg")],
        links=[f.order_link("cust-live", DESK), f.profile_link("cust-live", DESK)],
    )
    unlinked = {
        "unlinkedAt": format_timestamp(NOW - timedelta(days=3)),
        "unlinkedBy": "leo.lead",
        "unlinkReason": "Number reassigned",
    }
    put_raw(
        table,
        {
            "pk": "phone_user#cust-old",
            "sk": f"phone#{DESK}",
            "cognitoId": "cust-old",
            "phoneNumber": DESK,
            "firstSeenAt": format_timestamp(NOW - timedelta(days=90)),
            "version": 4,
            **unlinked,
        },
    )
    put_raw(
        table,
        {
            "pk": "phone_user#cust-leg",
            "sk": f"createdAt#{LEGACY_AT}",
            "cognitoId": "cust-leg",
            "phoneNumber": DESK,
            "createdAt": LEGACY_AT,
            **unlinked,
            "unlinkedBy": "old-tool",
        },
    )
    # No customer to name: left, and said so.
    put_raw(table, {"pk": "phone_user#", "sk": "phone#", "unlinkedBy": "?"})
    return table


def test_a_dry_run_counts_and_changes_nothing(old_tombstones):
    out = run()
    assert "Dry run, nothing changed." in out
    assert "3 tombstones without an index key: 2 to move" in out
    assert "1 unreadable" in out and "unreadable phone_user# phone#" in out
    assert "pk2" not in raw(old_tombstones, "phone_user#cust-old", f"phone#{DESK}")
    assert hinted() == []  # not hinted until moved


def test_apply_moves_them_where_a_leads_search_finds_them(old_tombstones):
    assert hinted() == []
    out = run("--apply")
    assert "3 tombstones without an index key: 2 moved" in out
    assert hinted() == [("cust-leg", "old-tool"), ("cust-old", "leo.lead")]
    item = raw(old_tombstones, "phone_user#cust-old", f"phone#{DESK}")
    assert (item["pk2"], item["sk2"]) == (f"unlinked#phone#{DESK}", "phone_user#cust-old")
    assert item["version"] == 4  # the move decides nothing: a restore shown before still applies
    legacy = raw(old_tombstones, "phone_user#cust-leg", f"createdAt#{LEGACY_AT}")
    assert (legacy["pk2"], legacy["sk2"]) == (f"unlinked#phone#{DESK}", f"createdAt#{LEGACY_AT}")
    assert found(DESK) == ["cust-live"]  # live links untouched, tombstones still in no search
    # Idempotent: a second run finds nothing left to move.
    assert "1 tombstones without an index key: 0 moved" in run("--apply")


def test_an_interrupted_run_resumes_from_its_checkpoint(old_tombstones, tmp_path, monkeypatch):
    checkpoint = tmp_path / "tombstones.json"
    real = TombstoneRepository.tombstone_index
    calls = []

    def failing_second(self, *, key, link):
        calls.append(key)
        if len(calls) == 2:
            raise DirectoryUnavailable("throttled")
        return real(self, key=key, link=link)

    monkeypatch.setattr(TombstoneRepository, "tombstone_index", failing_second)
    with pytest.raises(CommandError, match="run again"):
        run("--apply", "--page-size", "1", "--checkpoint", str(checkpoint))
    assert checkpoint.exists() and len(hinted()) == 1
    monkeypatch.setattr(TombstoneRepository, "tombstone_index", real)

    out = run("--apply", "--page-size", "1", "--checkpoint", str(checkpoint))
    assert "Resuming after" in out
    assert hinted() == [("cust-leg", "old-tool"), ("cust-old", "leo.lead")]
    assert not checkpoint.exists()  # finished: the next run starts afresh


def test_a_checkpoint_is_for_apply_runs_only(table, tmp_path):
    with pytest.raises(CommandError, match="--apply"):
        run("--checkpoint", str(tmp_path / "c.json"))
