"""Backfill: historical order events from a JSON Lines file through `order_event_ingest`.

Resumable: a checkpoint file records the last line done (with a hash of that line, so a changed
file is noticed rather than resumed at the wrong place) and the counts so far. Ingestion is
idempotent, so the few lines redone after a hard kill change nothing; the rejects file is cut
back to the checkpoint on resume so no reject is listed twice.
"""

import hashlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lookup.domain.errors import DirectoryUnavailable, InvalidField
from lookup.domain.evidence import LinkOutcome
from lookup.events import event_unwrap
from lookup.services.ingestion import order_event_ingest

logger = logging.getLogger(__name__)

CHECKPOINT_EVERY_SECONDS = 1.0
MAX_UNEXPECTED_IN_A_ROW = 10


class CheckpointMismatch(Exception):
    """The checkpoint does not belong to this input (it changed, or is another file)."""


@dataclass(slots=True)
class BackfillCounts:
    lines: int = 0  # lines done, blank ones included: the checkpoint position
    outcomes: Counter = field(default_factory=Counter)  # LinkOutcome value -> events
    rejected: Counter = field(default_factory=Counter)  # offending field -> events

    @property
    def events(self) -> int:
        return sum(self.outcomes.values()) + sum(self.rejected.values())

    @property
    def created(self) -> int:
        return self.outcomes[LinkOutcome.CREATED] + self.outcomes[LinkOutcome.RELINKED]

    @property
    def skipped(self) -> int:
        """Well-formed orders with no phone to link: neither recorded nor rejected."""
        return self.outcomes[LinkOutcome.SKIPPED]

    @property
    def already_linked(self) -> int:
        return sum(self.outcomes.values()) - self.created - self.skipped

    def as_json(self) -> dict:
        return {"lines": self.lines, "outcomes": self.outcomes, "rejected": self.rejected}

    @classmethod
    def from_json(cls, data: dict) -> "BackfillCounts":
        return cls(
            lines=int(data.get("lines", 0)),
            outcomes=Counter(data.get("outcomes", {})),
            rejected=Counter(data.get("rejected", {})),
        )


@dataclass(frozen=True, slots=True)
class Checkpoint:
    line: int  # the last line done, 1-based; 0 before the first
    line_sha256: str  # of that line's bytes
    counts: BackfillCounts
    complete: bool = False


def checkpoint_read(path: Path) -> Checkpoint | None:
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return Checkpoint(
        line=int(data["line"]),
        line_sha256=data["lineSha256"],
        counts=BackfillCounts.from_json(data["counts"]),
        complete=bool(data.get("complete")),
    )


def checkpoint_write(path: Path, checkpoint: Checkpoint) -> None:
    _write_aside(
        path,
        json.dumps(
            {
                "line": checkpoint.line,
                "lineSha256": checkpoint.line_sha256,
                "counts": checkpoint.counts.as_json(),
                "complete": checkpoint.complete,
            }
        ),
    )


def _write_aside(path: Path, text: str) -> None:
    # Write aside and rename: an interruption mid-write never leaves half a file.
    temporary = path.with_name(f"{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def rejects_truncate(path: Path, *, after_line: int) -> None:
    """Drop rejects of lines past `after_line` (written after the last checkpoint)."""
    if not path.exists():
        return
    kept = [
        entry
        # Only "\n" ends an entry: the texts hold U+2028 and the like unescaped, which
        # splitlines() would also cut at.
        for entry in path.read_text(encoding="utf-8", errors="replace").split("\n")
        if (_reject_line(entry) or after_line + 1) <= after_line
    ]
    _write_aside(path, "".join(f"{entry}\n" for entry in kept))


def _reject_line(entry: str) -> int | None:
    """The input line a rejects entry is about; None for a half-written entry (a hard kill)."""
    try:
        line = json.loads(entry).get("line")
    except (ValueError, AttributeError):
        return None
    return line if isinstance(line, int) else None


class RateLimiter:
    """At most `per_second` calls to `wait()` per second, evenly spaced; None for no limit."""

    def __init__(
        self,
        per_second: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / per_second if per_second else 0.0
        self.clock = clock
        self.sleep = sleep
        self._next = clock()

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        if now < self._next:
            self.sleep(self._next - now)
            now = self.clock()
        self._next = max(self._next, now) + self.interval


class BackfillStopped(Exception):
    """The run cannot usefully go on; the checkpoint holds the lines done before `line`."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class DirectoryGaveUp(BackfillStopped):
    """DynamoDB stayed unavailable through every retry of one line."""

    def __init__(self, line: int, cause: DirectoryUnavailable) -> None:
        super().__init__(f"DynamoDB unavailable at line {line}: {cause}", line)


class ErrorsInARow(BackfillStopped):
    """Unexpected errors on line after line: a bug or a misconfiguration, not bad lines."""

    def __init__(self, line: int, cause: Exception) -> None:
        super().__init__(
            f"{MAX_UNEXPECTED_IN_A_ROW} lines in a row failed unexpectedly, the last at line "
            f"{line} ({type(cause).__name__}; see the log): fix the cause",
            line,
        )


@dataclass
class Backfill:
    """One run over the input; `run` returns the counts for the whole input so far."""

    rejects: Path
    checkpoint: Path | None
    rate: RateLimiter
    max_retries: int = 5
    on_progress: Callable[[int, BackfillCounts], None] | None = None
    counts: BackfillCounts = field(default_factory=BackfillCounts)
    resumed_after: int = 0
    resumed_sha256: str = ""
    unexpected_in_a_row: int = 0

    def resume(self, checkpoint: Checkpoint) -> None:
        self.counts = checkpoint.counts
        self.resumed_after = checkpoint.line
        self.resumed_sha256 = checkpoint.line_sha256
        rejects_truncate(self.rejects, after_line=checkpoint.line)

    def run(self, lines: Iterable[bytes]) -> BackfillCounts:
        """Ingest every line after the resume point; the checkpoint is saved however it ends."""
        done_bytes = 0
        number = 0
        last_sha = ""
        last_saved = time.monotonic()
        with self.rejects.open("a", encoding="utf-8") as rejects:
            try:
                for number, raw in enumerate(lines, start=1):
                    done_bytes += len(raw)
                    if number <= self.resumed_after:
                        if number == self.resumed_after and _sha(raw) != self.resumed_sha256:
                            raise CheckpointMismatch(
                                f"line {number} is not the line the checkpoint recorded"
                            )
                        continue
                    self._line_ingest(number, raw, rejects)
                    self.counts.lines = number
                    last_sha = _sha(raw)
                    if self.on_progress:
                        self.on_progress(done_bytes, self.counts)
                    if self.checkpoint and time.monotonic() - last_saved > CHECKPOINT_EVERY_SECONDS:
                        rejects.flush()
                        self._save(last_sha)
                        last_saved = time.monotonic()
                if number < self.resumed_after:
                    raise CheckpointMismatch(
                        f"the input has {number} lines, the checkpoint is at line "
                        f"{self.resumed_after}"
                    )
            finally:
                rejects.flush()
                if self.checkpoint and last_sha:
                    self._save(last_sha)
        if self.checkpoint:
            self._save(last_sha or self.resumed_sha256, complete=True)
        return self.counts

    def _line_ingest(self, number: int, raw: bytes, rejects) -> None:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._reject(number, raw.decode("utf-8", "replace"), "(line)", "is not UTF-8", rejects)
            return
        if not text.strip():
            return
        self.rate.wait()
        for attempt in range(self.max_retries + 1):
            try:
                result = order_event_ingest(event=event_unwrap(text))
            except InvalidField as exc:
                self.unexpected_in_a_row = 0
                self._reject(number, text, exc.field, exc.message, rejects)
                return
            except DirectoryUnavailable as exc:
                if attempt == self.max_retries:
                    raise DirectoryGaveUp(number, exc) from exc
                delay = min(2.0**attempt, 30.0)
                logger.warning("DynamoDB unavailable at line %d; retrying in %.0fs", number, delay)
                time.sleep(delay)
                continue
            except Exception as exc:
                # A bug meeting one line must not stop hours of backfill: the line is listed
                # with the rejects (to feed again once fixed) and the traceback is logged. One
                # meeting every line must not reject the whole file: stop instead.
                logger.exception("Unexpected error at line %d", number)
                self.unexpected_in_a_row += 1
                if self.unexpected_in_a_row >= MAX_UNEXPECTED_IN_A_ROW:
                    raise ErrorsInARow(number, exc) from exc
                reason = f"unexpected {type(exc).__name__}; see the log"
                self._reject(number, text, "(line)", reason, rejects)
                return
            self.unexpected_in_a_row = 0
            self.counts.outcomes[result.outcome.value] += 1
            return

    def _reject(self, number: int, text: str, field_name: str, reason: str, rejects) -> None:
        self.counts.rejected[field_name] += 1
        entry = {"line": number, "field": field_name, "reason": reason, "text": text.rstrip("\n")}
        rejects.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def _save(self, sha: str, *, complete: bool = False) -> None:
        assert self.checkpoint is not None
        checkpoint_write(
            self.checkpoint,
            Checkpoint(
                line=self.counts.lines, line_sha256=sha, counts=self.counts, complete=complete
            ),
        )


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
