"""Hypothesis settings for the phone-number property tests.

The default profile is derandomized (the same examples on every run and in CI) and keeps no
example database in the worktree; `HYPOTHESIS_PROFILE=explore` draws new examples on each run,
worth a few runs when changing the reading rules.
"""

import os

from hypothesis import HealthCheck, settings

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
