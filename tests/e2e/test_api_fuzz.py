"""schemathesis against the running stack's /openapi.json with a valid token.

Every generated request (positive and negative data, coverage, fuzzing and
stateful phases) must get a response the spec allows: no 5xx, a documented
status code, a body and headers that match the schema. ``positive_data_acceptance``
is left out on purpose: several routes refuse schema-valid bodies for reasons
JSON Schema cannot state (file extensions, time ranges vs points, unique
framework ids, opaque cursors); those refusals are documented 400s with a field.

`make test` generates a few thousand requests (over 100 operations); `make soak` more, as a
teacher and an admin (SOAK_SCHEMATHESIS_EXAMPLES, SOAK_SCHEMATHESIS_ROLES).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.auth.principal import Role
from classreel.local.stack import LocalStack
from tests.support.reliability_report import Report
from tests.support.users import TokenFactory

pytestmark = pytest.mark.e2e

EXAMPLES = os.environ.get("SOAK_SCHEMATHESIS_EXAMPLES", "20")
ROLES = os.environ.get("SOAK_SCHEMATHESIS_ROLES", "teacher").split(",")
MIN_REQUESTS = 1000


# About four minutes on an idle 2-core machine (most of it the coverage and stateful phases,
# whatever --max-examples says), several times that on a loaded one: a deadline of its own
# beside the suite's 600 s (schemathesis itself is stopped at 1,800 s).
@pytest.mark.timeout(1500)
@pytest.mark.parametrize("role", ROLES)
def test_generated_requests_get_only_responses_the_spec_allows(
    role: str,
    local_stack: LocalStack,
    tokens: TokenFactory,
    tmp_path: Path,
    reliability_report: Report,
) -> None:
    token = tokens.token(f"fuzz-{role}", Role(role))
    report = tmp_path / "schemathesis.json"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            f"{local_stack.api_url}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            EXAMPLES,
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--seed",
            os.environ.get("SOAK_SEED", "20261123"),
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--generation-database",
            "none",
            "--no-color",
            "--report",
            "json",
            "--report-json-path",
            str(report),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    summary = json.loads(report.read_text())
    failures = summary["failures"]
    server_errors = [f for f in failures if "server_error" in json.dumps(f)]
    reliability_report.add(
        f"schemathesis ({role})",
        trials=summary["test_cases"]["generated"],
        errors_5xx=len(server_errors),
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert failures == [] and summary["errors"] == [], result.stdout[-6000:]
    assert summary["test_cases"]["generated"] >= MIN_REQUESTS, summary["test_cases"]
    assert summary["complete"], summary["stop_reason"]
