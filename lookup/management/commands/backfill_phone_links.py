import signal
import sys
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lookup.backfill import (
    Backfill,
    BackfillCounts,
    BackfillStopped,
    CheckpointMismatch,
    RateLimiter,
    checkpoint_read,
)
from lookup.domain.evidence import LinkOutcome
from lookup.events import SKIP_NO_PHONE
from lookup.progress import ProgressBar
from lookup.repository import get_table
from lookup.targets import table_target_describe


class Command(BaseCommand):
    help = (
        "Ingest historical order-committed events from a JSON Lines file (or - for stdin), one "
        "event per line, raw or in an SNS envelope. Resumable: run it again after an "
        "interruption and it continues after the last line done."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="JSON Lines file of order events, or - for stdin.")
        parser.add_argument(
            "--rejects",
            type=Path,
            default=None,
            help="Where rejected lines go, with the reason (default FILE.rejects.jsonl, "
            "backfill-rejects.jsonl for stdin).",
        )
        parser.add_argument(
            "--checkpoint",
            type=Path,
            default=None,
            help="Checkpoint file for resuming (default FILE.checkpoint; none for stdin "
            "unless given).",
        )
        parser.add_argument(
            "--restart",
            action="store_true",
            help="Ignore an existing checkpoint and start from the first line.",
        )
        parser.add_argument(
            "--rate",
            type=float,
            default=None,
            help="At most this many events per second (default: as fast as DynamoDB answers).",
        )
        parser.add_argument(
            "--max-retries",
            type=int,
            default=5,
            help="Retries of a line while DynamoDB is unavailable before stopping (default 5).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw the progress bar on stderr."
        )

    def handle(self, *args, **options) -> None:
        source = options["file"]
        from_stdin = source == "-"
        if not from_stdin and not Path(source).is_file():
            raise CommandError(f"No such file: {source}")
        if options["rate"] is not None and options["rate"] <= 0:
            raise CommandError("--rate must be a positive number of events per second.")
        rejects = options["rejects"] or Path(
            "backfill-rejects.jsonl" if from_stdin else f"{source}.rejects.jsonl"
        )
        checkpoint_path = options["checkpoint"] or (
            None if from_stdin else Path(f"{source}.checkpoint")
        )

        self.stdout.write(f"Writing links to {table_target_describe(table=get_table())}.")
        backfill = Backfill(
            rejects=rejects,
            checkpoint=checkpoint_path,
            rate=RateLimiter(options["rate"]),
            max_retries=options["max_retries"],
        )
        checkpoint = None
        if checkpoint_path and not options["restart"]:
            checkpoint = checkpoint_read(checkpoint_path)
        if checkpoint and checkpoint.complete:
            self.stdout.write(
                f"{source} was backfilled completely already ({checkpoint_path}); "
                "use --restart to do it again."
            )
            self._summary(source, checkpoint.counts, rejects)
            return
        if checkpoint:
            backfill.resume(checkpoint)
            self.stdout.write(f"Resuming after line {checkpoint.line:,} ({checkpoint_path}).")
        else:
            rejects.write_text("")  # a fresh start: earlier rejects no longer apply

        size = None if from_stdin else Path(source).stat().st_size
        progress = None
        if not options["no_progress"]:
            progress = ProgressBar(stream=sys.stderr, total=size, label="lines")
            backfill.on_progress = lambda done, counts: progress.advance(
                done=done, count=counts.lines
            )

        stream = sys.stdin.buffer if from_stdin else open(source, "rb")  # noqa: SIM115
        try:
            with stream, _sigterm_as_interrupt():
                counts = backfill.run(stream)
        except KeyboardInterrupt:
            self._progress_close(progress)
            self._summary(source, backfill.counts, rejects)
            raise CommandError(
                f"Interrupted after line {backfill.counts.lines:,}"
                + ("; run the same command again to resume." if checkpoint_path else "."),
                returncode=130,
            ) from None
        except BackfillStopped as exc:
            self._progress_close(progress)
            self._summary(source, backfill.counts, rejects)
            raise CommandError(
                f"{exc}. Stopped"
                + ("; run the same command again to resume." if checkpoint_path else ".")
            ) from exc
        except CheckpointMismatch as exc:
            raise CommandError(
                f"The checkpoint {checkpoint_path} does not match {source}: {exc}. "
                "Use --restart to start from the first line (re-ingesting is harmless)."
            ) from exc
        self._progress_close(progress)
        self._summary(source, counts, rejects)

    @staticmethod
    def _progress_close(progress: ProgressBar | None) -> None:
        if progress is not None:
            progress.close()

    def _summary(self, source: str, counts: BackfillCounts, rejects: Path) -> None:
        outcomes = counts.outcomes
        rejected = sum(counts.rejected.values())
        self.stdout.write(
            f"Backfill of {source}: {counts.lines:,} lines, {counts.events:,} events\n"
            f"  created         {counts.created:>9,}"
            f"  (re-linked after an unlink: {outcomes[LinkOutcome.RELINKED.value]:,})\n"
            f"  already linked  {counts.already_linked:>9,}"
            f"  (new evidence {outcomes[LinkOutcome.UPDATED.value]:,}, "
            f"already recorded {outcomes[LinkOutcome.ALREADY_RECORDED.value]:,}, "
            f"kept unlinked {outcomes[LinkOutcome.KEPT_UNLINKED.value]:,})\n"
            f"  skipped         {counts.skipped:>9,}  ({SKIP_NO_PHONE})\n"
            f"  rejected        {rejected:>9,}" + (f"  -> {rejects}" if rejected else "")
        )
        for field_name, count in counts.rejected.most_common():
            self.stdout.write(f"    {field_name}: {count:,}")


@contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (a stopped container, a killed job) ends the run like Ctrl-C: checkpoint saved."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
