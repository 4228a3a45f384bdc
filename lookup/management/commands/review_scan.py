"""Fill and refresh the leads' review queue from the whole table (docs/deploy.md, "The review
queue scan": the day-one backlog, then nightly)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lookup.capacity import CapacityBucket
from lookup.domain.errors import DirectoryUnavailable
from lookup.progress import ProgressBar
from lookup.repository import get_table
from lookup.services.review_scan import Checkpoint, CheckpointError, review_scan_run
from lookup.targets import table_target_describe


class Command(BaseCommand):
    help = (
        "Scan the phone index in parallel segments and make the review queue exactly the live "
        "order links that are superseded or possibly stale; rows the scan does not confirm are "
        "removed at its end. Reads at most --rate read capacity units a second; resumable with "
        "--checkpoint and --resume."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--segments",
            type=int,
            default=4,
            help="Parallel Scan segments, one thread each (default 4). On moto: 1.",
        )
        parser.add_argument(
            "--rate",
            type=float,
            default=100.0,
            help="Read capacity units a second, all segments together (default 100).",
        )
        parser.add_argument(
            "--page-size", type=int, default=1000, help="Items per Scan page (default 1000)."
        )
        parser.add_argument(
            "--checkpoint",
            type=Path,
            help="A file each segment's position is kept in after every page (and the scan's "
            "start time); removed when the scan completes.",
        )
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Continue the scan whose --checkpoint file is given.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw the progress bar on stderr."
        )

    def handle(
        self,
        *args,
        segments: int,
        rate: float,
        page_size: int,
        checkpoint: Path | None,
        resume: bool,
        no_progress: bool,
        **options,
    ) -> None:
        if not 1 <= segments <= 64:
            raise CommandError("--segments must be between 1 and 64.")
        if not 1 <= page_size <= 10_000:
            raise CommandError("--page-size must be between 1 and 10000.")
        if rate <= 0:
            raise CommandError("--rate must be above 0.")
        position = self._checkpoint(checkpoint, resume=resume, segments=segments)
        target = table_target_describe(table=get_table())
        verb = "Resuming" if resume else "Scanning"
        self.stdout.write(
            f"{verb} {target} for the review queue: {segments} segments at {rate:g} RCU/s."
        )
        bar = None if no_progress else ProgressBar(stream=sys.stderr, total=None, label="items")
        try:
            summary = review_scan_run(
                segments=segments,
                rate=rate,
                page_size=page_size,
                checkpoint=position,
                progress=(lambda s: bar.advance(done=s.items, count=s.items)) if bar else None,
                bucket=CapacityBucket(rate=rate),
            )
        except DirectoryUnavailable as exc:
            hint = (
                f"run again with --checkpoint {checkpoint} --resume" if checkpoint else "run again"
            )
            raise CommandError(
                f"DynamoDB unavailable: {exc}. The rows stored so far stay; {hint} to continue."
            ) from exc
        finally:
            if bar:
                bar.close()
        change = summary.change
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.items} items read, {summary.links} live links on {summary.numbers} "
                f"numbers: {change.added} rows added, {change.kept} kept, "
                f"{change.removed + summary.swept} removed ({summary.swept} not confirmed by "
                f"the scan); {summary.consumed:g} read capacity units in {summary.seconds:.1f} s "
                f"({summary.items_per_second:,.0f} items/s)."
            )
        )

    def _checkpoint(self, path: Path | None, *, resume: bool, segments: int) -> Checkpoint:
        if resume:
            if path is None or not path.exists():
                raise CommandError("--resume needs the --checkpoint file of an unfinished scan.")
            try:
                return Checkpoint.read(path, segments=segments)
            except CheckpointError as exc:
                raise CommandError(str(exc)) from exc
        if path is not None and path.exists():
            raise CommandError(
                f"{path} holds an unfinished scan: add --resume to continue it, or remove the "
                "file to start again."
            )
        checkpoint = Checkpoint.fresh(segments=segments, path=path)
        checkpoint.write()
        return checkpoint
