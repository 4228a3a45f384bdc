import time
from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError
from django.core.management.base import BaseCommand, CommandError

from lookup.repository import get_table
from lookup.repository.restore import (
    Comparison,
    drill_client,
    point_in_time_recovery_window,
    table_delete,
    table_restore_to_point_in_time,
    table_wait_active,
    tables_compare_sample,
)
from lookup.targets import table_target_describe


class Command(BaseCommand):
    help = (
        "Rehearse a restore of the DynamoDB table: restore it to a point in time into a new "
        "table, wait until it is ACTIVE, compare a sample of items with the live table, report "
        "the differences and how long the restore took, then delete the scratch table. The live "
        "table is only read."
    )

    def add_arguments(self, parser) -> None:
        when = parser.add_mutually_exclusive_group()
        when.add_argument(
            "--at",
            default=None,
            help="Restore point, ISO 8601 in UTC (2026-11-28T09:00:00Z); default the latest "
            "restorable time (about five minutes ago).",
        )
        when.add_argument(
            "--compare-with",
            default=None,
            metavar="TABLE",
            help="Restore nothing: compare the live table with this already restored table.",
        )
        parser.add_argument(
            "--target",
            default=None,
            help="Name of the scratch table (default <table>-drill-<UTC time>).",
        )
        parser.add_argument(
            "--sample", type=int, default=200, help="Items read from each table (default 200)."
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the restored table (default: delete it)."
        )
        parser.add_argument(
            "--show-keys",
            action="store_true",
            help="List the keys of the items that differ (they hold phone numbers and customer "
            "ids: personal data).",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=4 * 3600,
            help="Seconds to wait for the restored table (default 4 hours).",
        )

    def handle(self, *args, **options) -> None:
        if not 1 <= options["sample"] <= 100_000:
            raise CommandError("--sample must be between 1 and 100000.")
        live = get_table().name
        client = drill_client()
        try:
            if options["compare_with"]:
                self._compare(client, live, options["compare_with"], options)
                return
            self._drill(client, live, options)
        except (BotoCoreError, ClientError) as exc:
            raise CommandError(f"DynamoDB refused: {exc}") from exc

    def _drill(self, client, live: str, options) -> None:
        at = _parse_time(options["at"]) if options["at"] else None
        target = options["target"] or f"{live}-drill-{datetime.now(UTC):%Y%m%d%H%M%S}"
        self.stdout.write(
            f"Restoring {table_target_describe(table=get_table())} "
            f"{'as of ' + at.isoformat() if at else 'as of its latest restorable time'} "
            f"into the new table {target}."
        )
        window = point_in_time_recovery_window(client=client, table=live)
        if window is None:
            raise CommandError(
                f"Point-in-time recovery is off on {live}: nothing to restore from. Turn it on "
                "(the stack does for a table it creates; docs/deploy.md, backups)."
            )
        earliest, latest = window
        if at is not None and earliest and latest and not earliest <= at <= latest:
            raise CommandError(
                f"{at.isoformat()} is outside the restorable window "
                f"{earliest.isoformat()} - {latest.isoformat()}."
            )
        started = time.monotonic()
        table_restore_to_point_in_time(client=client, source=live, target=target, at=at)
        try:
            table_wait_active(
                client=client,
                table=target,
                timeout=options["timeout"],
                on_wait=lambda status, elapsed: self.stdout.write(
                    f"  {target} {status} after {elapsed:.0f}s"
                ),
            )
        except TimeoutError as exc:
            raise CommandError(
                f"{exc}; it is left for you to look at (delete it with aws dynamodb "
                f"delete-table --table-name {target})."
            ) from exc
        took = time.monotonic() - started
        self.stdout.write(f"Restored {target} in {_duration(took)} (the recovery time to expect).")
        try:
            self._compare(client, live, target, options)
        finally:
            if options["keep"]:
                self.stdout.write(f"Kept {target}; delete it when done (it costs storage).")
            else:
                table_delete(client=client, table=target)
                self.stdout.write(f"Deleted the scratch table {target}.")

    def _compare(self, client, live: str, restored: str, options) -> None:
        comparison = tables_compare_sample(
            client=client, live=live, restored=restored, sample=options["sample"]
        )
        self.stdout.write(_report(comparison, live=live, restored=restored))
        if options["show_keys"]:
            for label, keys in (
                ("differs", comparison.differ),
                ("only in the live table", comparison.only_live),
                ("only in the restored table", comparison.only_restored),
            ):
                for key in keys:
                    shown = " ".join(f"{name}={next(iter(v.values()))}" for name, v in key.items())
                    self.stdout.write(f"  {label}: {shown}")


def _report(comparison: Comparison, *, live: str, restored: str) -> str:
    text = (
        f"Compared {comparison.compared} items of {live} and {restored}: "
        f"{comparison.identical} identical, {len(comparison.differ)} differ, "
        f"{len(comparison.only_live)} only in the live table, "
        f"{len(comparison.only_restored)} only in the restored table."
    )
    if comparison.compared == 0:
        return text + " Both tables are empty: nothing was compared."
    if comparison.differences:
        text += (
            " Differences are expected for items written since the restore point; any others "
            "mean the restore is not what you need (--show-keys lists them)."
        )
    return text


def _parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(
            f"--at {value!r}: not an ISO 8601 time (2026-11-28T09:00:00Z)."
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"
