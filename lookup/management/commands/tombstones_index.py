"""Give tombstones written before they had an index partition their `unlinked#phone#<E164>` pk2,
so a lead's search hints at them (docs/deploy.md: run once after deploying)."""

import json
import sys
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lookup.domain.errors import DirectoryUnavailable
from lookup.progress import ProgressBar
from lookup.repository import get_table, get_tombstones
from lookup.targets import table_target_describe


class Command(BaseCommand):
    help = (
        "Move unlinked links that have no pk2 (tombstones written before `unlinked#phone#` "
        "partitions existed) into their number's `unlinked#phone#<E164>` partition, where a "
        "lead's search finds them. Shows what it would move and changes nothing unless given "
        "--apply. Idempotent; resumable with --checkpoint."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--apply", action="store_true", help="Move them (default: a dry run, counts only)."
        )
        parser.add_argument(
            "--page-size", type=int, default=500, help="Items per Scan page (default 500)."
        )
        parser.add_argument(
            "--checkpoint",
            type=Path,
            help="With --apply: a file the scan's position is kept in after every page; a run "
            "given the same file starts where the last one stopped, and removes it at the end.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw the progress bar on stderr."
        )

    def handle(
        self,
        *args,
        apply: bool,
        page_size: int,
        checkpoint: Path | None,
        no_progress: bool,
        verbosity: int,
        **options,
    ) -> None:
        if not 1 <= page_size <= 10_000:
            raise CommandError("--page-size must be between 1 and 10000.")
        if checkpoint and not apply:
            # A dry run's position is not where an --apply run may start.
            raise CommandError("--checkpoint is for --apply runs.")
        table = get_table()
        target = table_target_describe(table=table)
        start_key = _checkpoint_read(checkpoint)
        if apply:
            self.stdout.write(f"Moving tombstones without an index key in {target}.")
        else:
            self.stdout.write(f"Tombstones without an index key in {target} (a dry run):")
        if start_key:
            self.stdout.write(f"Resuming after {start_key} ({checkpoint}).")
        # No total: DescribeTable's item count is not the batch role's to read (and six hours
        # stale); the bar shows the items scanned and the rate.
        progress = (
            None if no_progress else ProgressBar(stream=sys.stderr, total=None, label="items")
        )
        counts: Counter = Counter()
        scanned = 0
        try:
            for page in get_tombstones().tombstones_unindexed_scan(
                page_size=page_size, start_key=start_key
            ):
                for key, link in page.found:
                    outcome = self._one(key, link, apply=apply, verbosity=verbosity)
                    counts[outcome] += 1
                scanned += page.scanned
                if progress:
                    progress.advance(done=scanned, count=sum(counts.values()))
                _checkpoint_write(checkpoint, page.next_key)
        except DirectoryUnavailable as exc:
            raise CommandError(
                f"DynamoDB unavailable: {exc}. What was moved stays moved; run again "
                "(with the same --checkpoint) to continue."
            ) from exc
        finally:
            if progress:
                progress.close()
        found = sum(counts.values())
        summary = (
            f"{scanned} items scanned, {found} tombstones without an index key: "
            f"{counts['moved']} {'moved' if apply else 'to move'}, "
            f"{counts['changed']} changed meanwhile (restored or moved: left as they are), "
            f"{counts['unreadable']} unreadable (no customer or number: left)"
        )
        if apply:
            self.stdout.write(self.style.SUCCESS(summary + "."))
        else:
            self.stdout.write(
                f"Dry run, nothing changed. {summary}. Run with --apply to move them."
            )

    def _one(self, key, link, *, apply: bool, verbosity: int) -> str:
        label = f"{key['pk']} {key['sk']}"
        if link is None:
            self.stdout.write(f"unreadable {label}: no customer or number; left")
            return "unreadable"
        if apply and not get_tombstones().tombstone_index(key=key, link=link):
            if verbosity >= 1:
                self.stdout.write(f"{label}: changed meanwhile; left")
            return "changed"
        if verbosity >= 2:
            verb = "moved" if apply else "would move"
            self.stdout.write(f"{label}: {verb} to unlinked#phone#{link.phone}")
        return "moved"


def _checkpoint_read(path: Path | None) -> dict | None:
    if path is None or not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError as exc:
        raise CommandError(f"{path} is not a checkpoint this command wrote: {exc}") from exc


def _checkpoint_write(path: Path | None, next_key: dict | None) -> None:
    if path is None:
        return
    if next_key is None:
        path.unlink(missing_ok=True)  # done: the next run starts from the beginning
        return
    partial = path.with_suffix(path.suffix + ".tmp")
    partial.write_text(json.dumps(next_key))
    partial.replace(path)  # a run killed mid-write leaves the previous position whole
