#!/usr/bin/env bash
# Install the test tools into .venv and run lint and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Two workers (pytest-xdist), the groups of tests/conftest.py kept whole on one worker each.
.venv/bin/python -m pytest -n 2 --dist loadgroup
