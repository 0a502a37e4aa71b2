"""Hypothesis laws and fuzz tests (``pytest -m property`` runs only these).

The fuzz tests take their example counts from a profile: ``ci`` (the default, a few hundred
examples in all) or ``long``, for a long local run. Because hypothesis loads
``--hypothesis-profile`` before test modules are imported, load this package as a plugin too::

    python -m pytest tests/property/test_fuzz.py -p tests.property --hypothesis-profile=long
"""

import os

from hypothesis import HealthCheck, settings

#: Profiles of the fuzz tests (tests/property/test_fuzz.py); the law tests fix their own counts.
FUZZ_PROFILES = ("ci", "long")

_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]
# in CI (CI=true) the examples are derandomised so a run is repeatable; locally they are random
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    suppress_health_check=_SLOW_IS_FINE,
    derandomize=bool(os.environ.get("CI")),
)
settings.register_profile("long", max_examples=20_000, deadline=None, suppress_health_check=_SLOW_IS_FINE)
