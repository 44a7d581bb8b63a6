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
