"""Hypothesis settings for the phone-number property tests.

The default profile is derandomized (the same examples on every run and in CI) and keeps no
example database; `HYPOTHESIS_PROFILE=explore` draws new examples on each run,
worth a few runs when changing the reading rules.
"""

import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis caches what it learns from the source (.hypothesis/constants); keep it in the
# git-ignored var/ rather than the worktree's root.
set_hypothesis_home_dir(str(Path(__file__).resolve().parents[2] / "var" / "hypothesis"))

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
