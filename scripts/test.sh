#!/usr/bin/env bash
# Lint, type-check, then the whole test suite. Used by `make test` and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy"
.venv/bin/mypy
echo "==> pytest"
set +e
# The slowest tests are listed at the end: the suite has a time budget (README).
# TEST_WORKERS=N runs it in N processes (pytest-xdist, a file per process so its module
# fixtures are made once, each process with its own local stack). Not the default: on 2 cores
# three processes took as long as one (the suite is CPU-bound: ffmpeg, browsers, and every
# idle stack's pollers) and loaded the machine past what its deadlines allow.
parallel=()
if [ "${TEST_WORKERS:-0}" -gt 0 ]; then
  parallel=(-n "$TEST_WORKERS" --dist loadfile)
fi
.venv/bin/python -m pytest --durations=30 "${parallel[@]}" "$@"
status=$?
set -e
# pytest exits 5 when it collected no tests: that is a broken suite, not a pass.
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests" >&2
  exit 1
fi
exit "$status"
