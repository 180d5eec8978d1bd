# The two commands the README starts with: `make run` and `make test`.
# Each installs whatever is missing first (scripts/setup.sh).

VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup setup-test run test soak lint typecheck unit integration e2e bench clean

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup.sh --browser

## Start moto (S3+SQS), DynamoDB Local, the Lambda runner and the API on :8000.
run: setup
	@$(VENV)/bin/classreel local up --port $${PORT:-8000}

## Lint, type-check and run every test (unit, integration, e2e).
test: setup-test
	@bash scripts/test.sh

## Reliability soak: more kill trials, duplicate storms, fuzzing; prints a summary table.
## Loopback only; stops by itself (SOAK_TIMEOUT_S, default 45 min).
soak: setup
	@bash scripts/soak.sh

lint: setup
	@$(VENV)/bin/ruff check .

typecheck: setup
	@$(VENV)/bin/mypy

unit: setup
	@$(PY) -m pytest tests/unit -q

integration: setup
	@$(PY) -m pytest tests/integration -q

e2e: setup-test
	@$(PY) -m pytest tests/e2e -q

clean:
	rm -rf .classreel .pytest_cache .mypy_cache .ruff_cache
