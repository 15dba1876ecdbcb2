"""Hypothesis settings for the fuzz suite (issue 14).

The default profile keeps ``python -m pytest tests/fuzz`` quick and reproducible: few examples per
property, derandomized (the same examples on every run and machine), no deadline (the first call of a
compiled kernel or a lazy import may take a second).  ``NEURONET_FUZZ=1 python -m pytest tests/fuzz``
selects the ``fuzz`` profile: many more examples, drawn at random, to hunt for new defects; a failure
prints the ``@example`` / seed that reproduces it.
"""
import os

from hypothesis import HealthCheck, settings

_COMMON = dict(
    deadline=None,
    # the autouse seed/kernel-switch fixtures of tests/conftest.py are function-scoped on purpose: they
    # run once per test, and every example that draws random numbers seeds its own generator
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)

settings.register_profile("default", max_examples=12, derandomize=True, database=None, **_COMMON)
settings.register_profile("fuzz", max_examples=400, derandomize=False, **_COMMON)
settings.load_profile("fuzz" if os.environ.get("NEURONET_FUZZ", "") not in ("", "0") else "default")
