"""Legacy lookup records: find them, fold each into the current UserPhoneLookUp, remove them.

Every write is a single-item conditional write (no transactions, DESIGN.md section 3):

1. put the current link, conditioned on the version read (or on its absence);
2. delete the legacy record, conditioned on its own version, so an unlink or restore made on it
   meanwhile is never lost: the record is folded in again, as it is now, and then removed.

Interrupted between 1 and 2, a later run folds the same record again, which changes nothing
(`lookup.legacy.link_with_legacy` is idempotent) and then removes it: resumable by design.
"""

import logging
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from lookup import keys
from lookup.domain import DirectoryUnavailable, LinkNotFound, PhoneLink
from lookup.legacy import LegacyOutcome, legacy_phone_or_reason, link_with_legacy
from lookup.repository.directory import (
    PhoneDirectory,
    _is_conditional_failure,
    _storage_errors_as_unavailable,
)
from lookup.repository.items import deserialize, link_from_item, link_to_item, serialize
from lookup.timestamps import utc_now

logger = logging.getLogger(__name__)

_CONFLICT_RETRIES = 8

# (customer id, E.164) -> the current link as a dry run would have left it.
Plan = MutableMapping[tuple[str, str], PhoneLink | None]


@dataclass(frozen=True, slots=True)
class LegacyRecord:
    """One legacy record as found; `link` is None when it cannot be read as a link."""

    label: str  # for people: the customer and the record's creation time
    link: PhoneLink | None


@dataclass(frozen=True, slots=True)
class LegacyMigration:
    legacy: PhoneLink
    outcome: LegacyOutcome
    link: PhoneLink | None = None  # the current link afterwards (planned, in a dry run)
    reason: str = ""  # why it was skipped


class LegacyLookups:
    """The legacy records of the shared table, and their migration."""

    def __init__(self, directory: PhoneDirectory) -> None:
        self.directory = directory
        self.client = directory.client
        self.table_name = directory.table_name

    def records_scan(self, *, page_size: int = 500) -> Iterator[LegacyRecord]:
        """Every legacy record, one Scan page at a time (they have no partition of their own).

        Records removed while the scan runs are simply not seen again, so a run that removes
        them as it goes, or a rerun after an interruption, sees only what is left.
        """
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "FilterExpression": "begins_with(pk, :pk) AND begins_with(sk, :sk)",
            "ExpressionAttributeValues": serialize(
                {":pk": keys.PHONE_USER_PREFIX, ":sk": keys.CREATED_AT_PREFIX}
            ),
            "Limit": page_size,
        }
        while True:
            response = self._scan_page(request)
            for raw in response.get("Items", []):
                item = deserialize(raw)
                customer = keys.customer_id_from_pk(str(item.get("pk", ""))) or "?"
                created = str(item.get("sk", ""))[len(keys.CREATED_AT_PREFIX) :]
                yield LegacyRecord(
                    label=f"customer {customer}, record of {created}", link=link_from_item(item)
                )
            if not response.get("LastEvaluatedKey"):
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    @_storage_errors_as_unavailable
    def _scan_page(self, request: dict[str, Any]) -> dict[str, Any]:
        # A generator's errors escape a decorator on it: translate them page by page.
        return self.client.scan(**request)

    @_storage_errors_as_unavailable
    def record_migrate(self, *, legacy: PhoneLink, now: datetime | None = None) -> LegacyMigration:
        """Fold one legacy record into the current link, then remove it."""
        now = now or utc_now()
        phone, reason = legacy_phone_or_reason(legacy.phone)
        if phone is None:
            return LegacyMigration(legacy=legacy, outcome=LegacyOutcome.SKIPPED, reason=reason)
        first_outcome: LegacyOutcome | None = None
        for _ in range(_CONFLICT_RETRIES):
            existing = self._current(legacy.customer_id, phone)
            outcome, updated = link_with_legacy(existing, legacy, phone=phone, now=now)
            if updated is not None and not self._link_put(updated, existing):
                continue  # the link changed under us: read it again
            if first_outcome is None or first_outcome is LegacyOutcome.UNCHANGED:
                first_outcome = outcome
            if self._legacy_delete(legacy):
                return LegacyMigration(
                    legacy=legacy, outcome=first_outcome, link=updated or existing
                )
            current = self._legacy_read(legacy)
            if current is None:  # another run removed it after folding it in
                return LegacyMigration(
                    legacy=legacy, outcome=first_outcome, link=updated or existing
                )
            legacy = current  # unlinked or restored meanwhile: fold in what it says now
        raise DirectoryUnavailable(
            f"Gave up migrating the legacy record of {legacy.customer_id}: it kept changing."
        )

    @_storage_errors_as_unavailable
    def record_plan(self, *, legacy: PhoneLink, plan: Plan) -> LegacyMigration:
        """What `record_migrate` would do, writing nothing; `plan` carries earlier records'
        effects so several legacy records of one link are reported as a real run would."""
        phone, reason = legacy_phone_or_reason(legacy.phone)
        if phone is None:
            return LegacyMigration(legacy=legacy, outcome=LegacyOutcome.SKIPPED, reason=reason)
        key = (legacy.customer_id, phone)
        existing = plan[key] if key in plan else self._current(legacy.customer_id, phone)
        outcome, updated = link_with_legacy(existing, legacy, phone=phone, now=utc_now())
        plan[key] = updated or existing
        return LegacyMigration(legacy=legacy, outcome=outcome, link=updated or existing)

    # --- single-item reads and conditional writes -----------------------------------------------

    def _current(self, customer_id: str, phone: str) -> PhoneLink | None:
        try:
            return self.directory.link_get(customer_id=customer_id, phone=phone)
        except LinkNotFound:
            return None

    def _legacy_read(self, legacy: PhoneLink) -> PhoneLink | None:
        try:
            return self.directory.link_get(
                customer_id=legacy.customer_id, phone=legacy.phone, legacy_id=legacy.legacy_id
            )
        except LinkNotFound:
            return None

    def _link_put(self, link: PhoneLink, existing: PhoneLink | None) -> bool:
        item = link_to_item(link)
        if link.order_count is None:
            item.pop("orderCount", None)  # unknown stays unknown, not "0 orders"
        condition, values = _version_condition(existing)
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "Item": serialize(item),
            "ConditionExpression": condition,
        }
        if values:
            request["ExpressionAttributeValues"] = serialize(values)
        return self._conditional(self.client.put_item, request)

    def _legacy_delete(self, legacy: PhoneLink) -> bool:
        full = keys.legacy_keys(legacy.customer_id, legacy.phone, legacy.legacy_id or "")
        condition, values = _version_condition(legacy)
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": serialize({"pk": full["pk"], "sk": full["sk"]}),
            "ConditionExpression": condition,
        }
        if values:
            request["ExpressionAttributeValues"] = serialize(values)
        return self._conditional(self.client.delete_item, request)

    @staticmethod
    def _conditional(call, request: dict[str, Any]) -> bool:
        try:
            call(**request)
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return False
            raise
        return True


def _version_condition(link: PhoneLink | None) -> tuple[str, dict[str, Any]]:
    """The item is as read: absent, unversioned, or at the version read."""
    if link is None:
        return "attribute_not_exists(pk)", {}
    if link.version == 0:
        return "attribute_exists(pk) AND attribute_not_exists(version)", {}
    return "version = :expected", {":expected": link.version}
