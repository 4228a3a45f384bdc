import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lookup.models import AuditEntry
from lookup.targets import database_target_describe

# Rows per DELETE: each batch is its own short transaction, so no statement holds its locks (and
# its share of WAL) for long, whatever the month being pruned weighs (docs/performance.md).
BATCH_SIZE = 10_000


class Command(BaseCommand):
    help = (
        "Delete audit entries older than AUDIT_RETENTION_DAYS (or --days), in batches of "
        "--batch-size rows, each its own transaction. Run it daily."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of AUDIT_RETENTION_DAYS.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Entries (by id range) per DELETE statement (default {BATCH_SIZE}).",
        )
        parser.add_argument(
            "--sleep",
            type=float,
            default=0.0,
            help="Seconds to pause between batches, to spread the load (default 0).",
        )

    def handle(
        self, *args, days: int | None, dry_run: bool, batch_size: int, sleep: float, **options
    ) -> None:
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("Retention must be at least one day.")
        if batch_size < 1:
            raise CommandError("The batch size must be at least 1.")
        cutoff = timezone.now() - timedelta(days=days)
        expired = AuditEntry.objects.filter(at__lt=cutoff)
        verb = "Counting" if dry_run else "Deleting"
        self.stdout.write(f"{verb} old audit entries in the {database_target_describe()}.")
        if dry_run:
            self.stdout.write(
                f"{expired.count()} entries older than {cutoff:%Y-%m-%d %H:%M} UTC "
                "would be deleted."
            )
            return
        deleted, batches = 0, 0
        # Ids grow with time: the expired entries lie between the oldest id and the id of the
        # newest expired entry (both read at an end of an index). One written late with an
        # earlier time beyond that id is caught by the next day's run.
        first = AuditEntry.objects.order_by("id").values_list("id", flat=True).first()
        last = expired.order_by("-at").values_list("id", flat=True).first()
        while first is not None and last is not None and first <= last:
            batch, _ = expired.filter(id__gte=first, id__lt=first + batch_size).delete()
            deleted += batch
            batches += 1
            first += batch_size
            if sleep and first <= last:
                time.sleep(sleep)
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {deleted} audit entries older than {cutoff:%Y-%m-%d %H:%M} UTC "
                f"(retention {days} days) in {batches} batches."
            )
        )
