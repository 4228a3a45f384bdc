from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lookup.domain.errors import DirectoryUnavailable
from lookup.repository import get_table
from lookup.repository.schema import table_ensure
from lookup.targets import table_target_describe


class Command(BaseCommand):
    help = "Create the DynamoDB table and its index if missing and wait until they are ACTIVE."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--timeout",
            type=float,
            default=60.0,
            help="Seconds to wait for the table to become ACTIVE (default 60).",
        )

    def handle(self, *args, timeout: float, **options) -> None:
        table = get_table()
        self.stdout.write(f"Ensuring {table_target_describe(table=table)}.")
        try:
            actions = table_ensure(table=table, timeout=timeout)
        except DirectoryUnavailable as exc:
            raise CommandError(f"Could not ensure the DynamoDB table: {exc}") from exc
        for action in actions:
            self.stdout.write(self.style.SUCCESS(action))
        if not actions:
            self.stdout.write(
                f"Table {settings.DYNAMODB_TABLE_NAME} and index {settings.DYNAMODB_INDEX_NAME} "
                "already exist and are ACTIVE."
            )
