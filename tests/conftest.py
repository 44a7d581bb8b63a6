"""Test configuration: run from the repository root so relative scenario paths resolve."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.chdir(ROOT)
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("MPLBACKEND", "Agg")

# Hypothesis: a small "ci" profile by default; SIM_HYPOTHESIS_PROFILE=nightly for a long search (README).
# Examples that failed once are kept in .hypothesis/ (not in git) and tried first next time.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("ci", max_examples=20, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("nightly", max_examples=500, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("SIM_HYPOTHESIS_PROFILE", "ci"))


import pytest  # noqa: E402


@pytest.fixture
def observed_months(monkeypatch) -> list[int]:
    """The months (counted from month 0) at which the model's outputs are observed from now on
    (``sim.model.outputs.observe`` counted), for tests of which months a run observes."""
    import sim.model.outputs as outputs

    observed: list[int] = []
    original = outputs.observe

    def counted(m):
        observed.append(m.t - m.month0)
        return original(m)

    monkeypatch.setattr(outputs, "observe", counted)
    return observed
