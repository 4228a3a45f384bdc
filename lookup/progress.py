"""A small progress bar on stderr for long commands (no dependency for one line of output)."""

import time
from datetime import timedelta
from typing import TextIO

_WIDTH = 28


class ProgressBar:
    """`[#####-----]  42%  12,345 lines  1,234/s  ETA 0:00:41`, redrawn in place.

    `total` is in the same unit as `advance(done=...)` (bytes of a file: lines vary in length);
    without it the bar shows counts and rate only. On a terminal it redraws a few times a
    second; elsewhere (a log file, CI) it writes a plain line every `plain_interval` seconds.
    """

    def __init__(
        self,
        *,
        stream: TextIO,
        total: int | None,
        label: str = "lines",
        plain_interval: float = 10.0,
    ) -> None:
        self.stream = stream
        self.total = total or None
        self.label = label
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())
        self.interval = 0.2 if self.interactive else plain_interval
        self.done = 0
        self.count = 0
        self._started = time.monotonic()
        self._start_done: int | None = None
        self._start_count = 0
        self._last_draw = 0.0

    def advance(self, *, done: int, count: int) -> None:
        if self._start_done is None:
            # Resumed runs start part-way: rates count only what this run did.
            self._start_done, self._start_count = done, count
            self._started = time.monotonic()
        self.done, self.count = done, count
        now = time.monotonic()
        if now - self._last_draw >= self.interval:
            self._last_draw = now
            self._draw()

    def close(self) -> None:
        self._draw(final=True)

    def render(self) -> str:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        rate = (self.count - self._start_count) / elapsed
        parts = []
        if self.total:
            fraction = min(self.done / self.total, 1.0)
            filled = int(fraction * _WIDTH)
            parts.append(f"[{'#' * filled}{'-' * (_WIDTH - filled)}] {fraction:4.0%}")
        parts.append(f"{self.count:,} {self.label}")
        parts.append(f"{rate:,.0f}/s")
        if self.total and self.done < self.total:
            speed = (self.done - (self._start_done or 0)) / elapsed
            if speed > 0:
                eta = timedelta(seconds=int((self.total - self.done) / speed))
                parts.append(f"ETA {eta}")
        return "  ".join(parts)

    def _draw(self, *, final: bool = False) -> None:
        if self.interactive:
            self.stream.write(f"\r\033[K{self.render()}" + ("\n" if final else ""))
        else:
            self.stream.write(self.render() + "\n")
        self.stream.flush()
