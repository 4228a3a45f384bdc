from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lookup.models import AuditEntry
from lookup.targets import database_target_describe


class Command(BaseCommand):
    help = "Delete audit entries older than AUDIT_RETENTION_DAYS (or --days). Run it daily."

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

    def handle(self, *args, days: int | None, dry_run: bool, **options) -> None:
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("Retention must be at least one day.")
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
        deleted, _ = expired.delete()
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {deleted} audit entries older than {cutoff:%Y-%m-%d %H:%M} UTC "
                f"(retention {days} days)."
            )
        )
