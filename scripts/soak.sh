#!/usr/bin/env bash
# `make soak`: the reliability tests with more trials, then a summary table.
# Bounded: every stack it starts listens on 127.0.0.1 only and is stopped by the
# tests themselves; the whole run is killed after SOAK_TIMEOUT_S (default 45 min).
set -euo pipefail
cd "$(dirname "$0")/.."

out_dir=.classreel/soak
mkdir -p "$out_dir"
report="$out_dir/report.json"
rm -f "$report"

export SOAK_REPORT="$PWD/$report"
export SOAK_KILL_TRIALS="${SOAK_KILL_TRIALS:-10}"
export SOAK_DUPLICATE_FILES="${SOAK_DUPLICATE_FILES:-20}"
export SOAK_SCHEMATHESIS_EXAMPLES="${SOAK_SCHEMATHESIS_EXAMPLES:-60}"
export SOAK_SCHEMATHESIS_ROLES="${SOAK_SCHEMATHESIS_ROLES:-teacher,admin}"
export SOAK_FUZZ_EXAMPLES="${SOAK_FUZZ_EXAMPLES:-3000}"
export SOAK_SEED="${SOAK_SEED:-$(date +%s)}"

started=$(date +%s)
set +e
timeout --kill-after=30 "${SOAK_TIMEOUT_S:-2700}" .venv/bin/python -m pytest -q \
  -p no:cacheprovider \
  tests/integration/reliability \
  tests/integration/ops \
  tests/integration/ingest/test_media_corpus.py \
  tests/integration/ingest/test_hostile_media.py \
  tests/integration/webhooks/test_delivery_network.py \
  tests/integration/feedback/test_comments.py \
  tests/e2e/test_api_fuzz.py \
  tests/unit/ingest/test_events_fuzz.py \
  tests/unit/webhooks/test_ssrf_fuzz.py
status=$?
set -e
elapsed=$(( $(date +%s) - started ))

echo
echo "## Soak summary (seed $SOAK_SEED, ${elapsed}s, pytest exit $status)"
echo
if [ -f "$report" ]; then
  .venv/bin/python -m tests.support.reliability_report "$report" || status=1
else
  echo "no report was written" >&2
  status=1
fi
exit "$status"
