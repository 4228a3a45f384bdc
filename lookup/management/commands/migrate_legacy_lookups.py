from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lookup.domain.errors import DirectoryUnavailable
from lookup.domain.legacy import LegacyOutcome
from lookup.domain.links import PhoneLink
from lookup.domain.times import format_timestamp
from lookup.repository import get_table
from lookup.services.migration import (
    LegacyMigration,
    Plan,
    legacy_migrate,
    legacy_plan,
    legacy_records,
)
from lookup.targets import table_target_describe

_VERBS = {
    LegacyOutcome.CREATED: ("created", "would create"),
    LegacyOutcome.MERGED: ("merged into", "would merge into"),
    LegacyOutcome.UNCHANGED: ("already in", "already in"),
    LegacyOutcome.SKIPPED: ("skipped", "would skip"),
}


class Command(BaseCommand):
    help = (
        "Rewrite legacy lookup records (pk phone_user#<id>, sk createdAt#<time>) into the "
        "current UserPhoneLookUp shape, merging duplicates, then remove them. Shows the plan "
        "and changes nothing unless given --apply. Idempotent and resumable: run it again after "
        "an interruption."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Write the plan: create and merge the links, delete the legacy records.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show the plan and change nothing: the default, kept for older scripts.",
        )
        parser.add_argument(
            "--page-size", type=int, default=500, help="Items per Scan page (default 500)."
        )

    def handle(
        self, *args, apply: bool, dry_run: bool, page_size: int, verbosity: int, **options
    ) -> None:
        if not 1 <= page_size <= 10_000:
            raise CommandError("--page-size must be between 1 and 10000.")
        if apply and dry_run:
            raise CommandError("--apply and --dry-run contradict each other: give one.")
        # Deleting from a shared table is not undone by a second run: writing takes a decision.
        dry_run = not apply
        target = table_target_describe(table=get_table())
        if dry_run:
            self.stdout.write(f"Plan for {target} (nothing is changed without --apply):")
        else:
            self.stdout.write(f"Migrating legacy records in {target}.")
        counts: Counter = Counter()
        unreadable = 0
        plan: Plan = {}
        try:
            for record in legacy_records(page_size=page_size):
                if record.link is None:
                    unreadable += 1
                    self.stdout.write(f"unreadable {record.label}: no customer or number; left")
                    continue
                if dry_run:
                    migration = legacy_plan(legacy=record.link, plan=plan)
                else:
                    migration = legacy_migrate(legacy=record.link)
                counts[migration.outcome] += 1
                if verbosity >= 1:
                    self.stdout.write(_line(migration, dry_run=dry_run))
        except DirectoryUnavailable as exc:
            raise CommandError(
                f"DynamoDB unavailable: {exc}. What was done is kept; run again to continue."
            ) from exc

        total = sum(counts.values()) + unreadable
        migrated = total - counts[LegacyOutcome.SKIPPED] - unreadable
        summary = (
            f"{total} legacy records: {counts[LegacyOutcome.CREATED]} created a link, "
            f"{counts[LegacyOutcome.MERGED]} merged into one, "
            f"{counts[LegacyOutcome.UNCHANGED]} already covered, "
            f"{counts[LegacyOutcome.SKIPPED] + unreadable} skipped (left in place)"
        )
        if dry_run:
            self.stdout.write(
                f"Dry run, nothing changed. {summary}; {migrated} would be removed. "
                "Run again with --apply to do it."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{summary}; {migrated} removed."))
            left = counts[LegacyOutcome.SKIPPED] + unreadable
            if left:
                self.stdout.write(
                    f"{left} legacy records remain: keep LEGACY_LOOKUPS_REMAIN on until they "
                    "are fixed or removed."
                )
            elif settings.LEGACY_LOOKUPS_REMAIN:
                self.stdout.write(
                    "No legacy records remain: once this has run on every table, set "
                    "LEGACY_LOOKUPS_REMAIN=false so that a first link is one write instead of "
                    "three (docs/ingestion.md)."
                )


def _line(migration: LegacyMigration, *, dry_run: bool) -> str:
    legacy = migration.legacy
    verb = _VERBS[migration.outcome][1 if dry_run else 0]
    source = f"legacy {legacy.customer_id} {legacy.phone} of {legacy.legacy_id}"
    if migration.outcome is LegacyOutcome.SKIPPED:
        return f"{verb} {source}: {migration.reason}"
    return f"{source}: {verb} {_describe(migration.link)}"


def _describe(link: PhoneLink | None) -> str:
    if link is None:
        return "(nothing)"
    state = "unlinked" if link.unlink is not None else "linked"
    return (
        f"{link.customer_id} {link.phone} ({state}, first seen "
        f"{format_timestamp(link.first_seen) or 'unknown'}, last seen "
        f"{format_timestamp(link.last_seen) or 'unknown'})"
    )
