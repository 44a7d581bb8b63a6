#!/usr/bin/env bash
# Set up everything the simulator needs on a fresh clone: system packages
# (fonts, browser, poppler; as root or through sudo), a virtual environment in
# .venv with a Python >= 3.12, and the project installed into it.
# Idempotent: a second run with nothing changed takes well under a second: every
# step is a cheap check (installed packages, files present, a stamp of pyproject.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
# Solara's front-end files, served locally (the dashboard must work offline).
bash scripts/fetch-solara-assets.sh .cache/solara-cdn
if [ ! -x .venv/bin/python ]; then
    # Looking for a Python (through pyenv shims, say) can take seconds: only when .venv must be made.
    py=$(bash scripts/find-python.sh)
    echo "setup: creating .venv with $py"
    "$py" -m venv .venv
fi
stamp=.venv/.installed
want=$(sha256sum < pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup: installing the project and its dependencies into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[dev]'
    echo "$want" > "$stamp"
fi
# The model's compiled loops (numba), compiled into numba's on-disk cache here rather than by the first run.
# numba checks only kernels.py itself before loading its cache, and the constants the loops take from the
# other modules (stage codes, reason and belief names) are frozen into it: when any of those files changes,
# the cache is cleared and compiled afresh.
compiled=.venv/.compiled
want=$(cat sim/model/kernels.py sim/model/stages.py sim/params.py "$stamp" | sha256sum | cut -c1-16)
if [ ! -f "$compiled" ] || [ "$(cat "$compiled")" != "$want" ]; then
    echo "setup: compiling the model's loops"
    rm -f sim/model/__pycache__/kernels.*.nbi sim/model/__pycache__/kernels.*.nbc
    .venv/bin/python -c "from sim.experiment.runner import warm_up; warm_up()"
    echo "$want" > "$compiled"
fi
