"""Latency samples summarized: p50, p95 (nearest rank), and a page set beside its raw calls."""

import math
import statistics
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Latency:
    samples: int
    p50_ms: float
    p95_ms: float
    max_ms: float

    @classmethod
    def of(cls, samples_ms: list[float]) -> "Latency":
        ordered = sorted(samples_ms)
        return cls(
            samples=len(ordered),
            p50_ms=round(statistics.median(ordered), 2),
            p95_ms=round(percentile(ordered, 95), 2),
            max_ms=round(ordered[-1], 2),
        )


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted samples (p95 of 60 samples is the 57th)."""
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Comparison:
    """A page through the whole stack beside the raw DynamoDB calls for the same data."""

    page: Latency
    raw: Latency

    @property
    def ratio(self) -> float:
        return round(self.page.p50_ms / self.raw.p50_ms, 2) if self.raw.p50_ms else math.inf

    @property
    def difference_ms(self) -> float:
        return round(self.page.p50_ms - self.raw.p50_ms, 2)

    @property
    def difference_p95_ms(self) -> float:
        return round(self.page.p95_ms - self.raw.p95_ms, 2)

    def as_dict(self) -> dict:
        return {
            "page": asdict(self.page),
            "raw": asdict(self.raw),
            "ratio_p50": self.ratio,
            "difference_p50_ms": self.difference_ms,
            "difference_p95_ms": self.difference_p95_ms,
        }
