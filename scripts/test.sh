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
# Most of the suite waits on the pipeline (queues, ffmpeg, browsers), so it runs in parallel
# processes (pytest-xdist), each with its own local stack; a test file stays in one process,
# so its module fixtures (a dedicated stack, an uploaded lesson) are made once.
# TEST_WORKERS=0 runs it in this process.
.venv/bin/python -m pytest --durations=30 -n "${TEST_WORKERS:-3}" --dist loadfile "$@"
status=$?
set -e
# pytest exits 5 when it collected no tests: that is a broken suite, not a pass.
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests" >&2
  exit 1
fi
exit "$status"
