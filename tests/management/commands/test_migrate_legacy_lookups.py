"""`migrate_legacy_lookups` on both backends: plan by default, merges, unlinks kept, idempotent,
resume."""

from dataclasses import replace
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lookup.domain import DirectoryUnavailable, LinkChange, LinkSource
from lookup.repository import LinkRepository
from tests import factories as f
from tests.factories import NOW
from tests.lookups import search, store, stored_link

FAMILY = "+5511912345678"
DESK = "+442079460018"
OLD_SIM = "+4930123456"


def migrate(*args) -> str:
    out = StringIO()
    call_command("migrate_legacy_lookups", *args, stdout=out)
    return out.getvalue()


def everything(table) -> list[dict]:
    items, request = [], {"TableName": table.name, "ConsistentRead": True}
    while True:
        response = table.client.scan(**request)
        items += response["Items"]
        if "LastEvaluatedKey" not in response:
            return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def legacy_items(table) -> list[dict]:
    return [i for i in everything(table) if i["sk"]["S"].startswith("createdAt#")]


@pytest.fixture
def legacy_world(table):
    """Legacy records in every situation the migration meets."""
    unlink = LinkChange(at=NOW - timedelta(days=100), by="leo.lead", reason="Sold the SIM")
    store(
        table,
        profiles=[f.profile("cust-helena"), f.profile("cust-omar"), f.profile("cust-ines")],
        links=[
            # Two legacy records of one customer and number: one link, first and last seen.
            f.legacy_link("cust-helena", FAMILY, NOW - timedelta(days=900)),
            f.legacy_link("cust-helena", FAMILY, NOW - timedelta(days=700)),
            # A legacy record older than the current link of the same customer and number.
            f.legacy_link("cust-omar", DESK, NOW - timedelta(days=500)),
            f.order_link(
                "cust-omar",
                DESK,
                first_seen=NOW - timedelta(days=200),
                last_seen=NOW - timedelta(days=10),
                order_count=3,
                version=2,
            ),
            # A legacy record a lead unlinked: it must stay out of every search.
            replace(f.legacy_link("cust-ines", OLD_SIM, NOW - timedelta(days=800)), unlink=unlink),
        ],
    )
    return table


def test_a_dry_run_reports_and_changes_nothing(legacy_world):
    before = everything(legacy_world)

    out = migrate("--dry-run")

    assert everything(legacy_world) == before
    assert out.count("would create") == 2  # Helena's first record, Ines's
    assert out.count("would merge into") == 2  # Helena's second record, Omar's
    assert "Dry run, nothing changed. 4 legacy records" in out
    assert "4 would be removed" in out


def test_without_apply_it_only_shows_the_plan_and_names_the_table_and_account(legacy_world):
    before = everything(legacy_world)

    out = migrate()

    assert everything(legacy_world) == before
    assert out.count("would create") == 2
    assert "Run again with --apply to do it." in out
    endpoint = legacy_world.client.meta.endpoint_url
    where = (
        "AWS account 123456789012"  # moto's STS
        if "amazonaws.com" in endpoint
        else f"local endpoint {endpoint}"
    )
    assert out.startswith(f"Plan for DynamoDB table {legacy_world.name} (eu-west-1) in {where}")


def test_apply_names_the_table_before_writing(moto_table):
    out = migrate("--apply")

    assert out.startswith(
        f"Migrating legacy records in DynamoDB table {moto_table.name} (eu-west-1) in "
        "AWS account 123456789012 as arn:aws:sts::123456789012:user/moto."
    )


def test_apply_and_dry_run_together_are_refused(legacy_world):
    before = everything(legacy_world)
    with pytest.raises(CommandError, match="contradict"):
        migrate("--apply", "--dry-run")
    assert everything(legacy_world) == before


def test_legacy_records_become_current_links_and_disappear(legacy_world):
    out = migrate("--apply")

    assert "4 legacy records: 2 created a link, 2 merged into one" in out
    assert legacy_items(legacy_world) == []

    helena = stored_link("cust-helena", FAMILY)
    assert helena.source is LinkSource.ORDER and helena.is_active
    assert helena.first_seen == NOW - timedelta(days=900)
    assert helena.last_seen == NOW - timedelta(days=700)
    assert helena.order_count is None  # legacy records never said how many orders

    omar = stored_link("cust-omar", DESK)
    assert omar.first_seen == NOW - timedelta(days=500)  # moved back by the legacy record
    assert omar.last_seen == NOW - timedelta(days=10)  # kept
    assert omar.order_count == 3 and omar.recent_order_ids == ("ord_a1", "ord_a2", "ord_a3")

    ines = stored_link("cust-ines", OLD_SIM)
    assert not ines.is_active and ines.unlink.reason == "Sold the SIM"
    assert search(OLD_SIM).total == 0

    # Searches find the same customers as before, now through one current link each.
    family = search(FAMILY)
    assert [(m.customer_id, m.sources) for m in family.matches] == [
        ("cust-helena", (LinkSource.ORDER,))
    ]


def test_a_second_run_finds_nothing_to_do(legacy_world):
    migrate("--apply")
    after_first = everything(legacy_world)

    out = migrate("--apply")

    assert "0 legacy records" in out
    assert everything(legacy_world) == after_first


def test_an_interrupted_run_resumes_without_counting_anything_twice(legacy_world, monkeypatch):
    real_delete = LinkRepository.legacy_delete
    deletes = []

    def crash_on_second_delete(self, *, legacy):
        deletes.append(legacy)
        if len(deletes) == 2:  # the link was written, the record not yet removed
            raise DirectoryUnavailable("connection reset")
        return real_delete(self, legacy=legacy)

    monkeypatch.setattr(LinkRepository, "legacy_delete", crash_on_second_delete)
    with pytest.raises(CommandError, match="run again to continue"):
        migrate("--apply")
    monkeypatch.setattr(LinkRepository, "legacy_delete", real_delete)

    out = migrate("--apply")

    assert legacy_items(legacy_world) == []
    # The record folded in before the crash is folded again, changing nothing, then removed.
    assert "3 legacy records" in out and "1 already covered" in out
    omar = stored_link("cust-omar", DESK)
    assert omar.order_count == 3 and omar.first_seen == NOW - timedelta(days=500)
    helena = stored_link("cust-helena", FAMILY)
    assert helena.first_seen == NOW - timedelta(days=900)
    assert helena.last_seen == NOW - timedelta(days=700)


def test_a_legacy_record_without_a_usable_number_is_left_in_place(table):
    broken = f.legacy_link("cust-x", "+1", NOW - timedelta(days=10))
    store(table, links=[broken])

    out = migrate("--apply")

    assert "skipped legacy cust-x +1" in out and "1 skipped (left in place)" in out
    assert len(legacy_items(table)) == 1


def test_an_unreachable_dynamodb_is_a_clear_command_error(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
    with pytest.raises(CommandError, match="DynamoDB unavailable"):
        migrate("--apply")


def test_a_page_size_of_zero_is_refused(moto_table):
    with pytest.raises(CommandError, match="--page-size must be between 1 and 10000"):
        migrate("--page-size", "0")
