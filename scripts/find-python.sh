#!/usr/bin/env bash
# Print the path of a Python interpreter >= 3.12, or fail with one line.
# Tries PATH first, then pyenv's version folders (where python3.12 may exist but not be on PATH).
set -u
check() { "$1" -c 'import sys; raise SystemExit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for cand in ${SIM_PYTHON:-} python3.13 python3.12 python3 python; do
    p=$(command -v "$cand" 2>/dev/null) || continue
    if check "$p"; then echo "$p"; exit 0; fi
done
for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 /usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9]; do
    [ -x "$p" ] && check "$p" && { echo "$p"; exit 0; }
done
echo "find-python: no Python >= 3.12 found (set SIM_PYTHON=/path/to/python3.12)" >&2
exit 1
