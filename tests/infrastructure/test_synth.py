"""The template as a whole: it synthesizes offline, cfn-lint and cdk-nag accept it."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from infrastructure.nag import MIN_REASON_CHARS, check_app
from tests.infrastructure.conftest import Synthesized, cfn_lint


def test_the_stack_is_environment_agnostic(synthesized: Synthesized) -> None:
    manifest = json.loads((synthesized.outdir / "manifest.json").read_text())
    stack = manifest["artifacts"]["ClassReel-dev"]
    assert stack["environment"] == "aws://unknown-account/unknown-region"


def test_cfn_lint_accepts_the_template(synthesized: Synthesized) -> None:
    result = cfn_lint(synthesized.template_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cdk_nag_reports_nothing_unacknowledged(synthesized: Synthesized) -> None:
    report = json.loads((synthesized.outdir / "validation-report.json").read_text())
    failures = [
        violation
        for plugin in report["pluginReports"]
        for violation in plugin.get("violations", [])
    ]
    assert failures == []


def test_every_acknowledged_rule_says_why(synthesized: Synthesized) -> None:
    acknowledged = [
        (logical_id, rule)
        for logical_id, resource in synthesized.document["Resources"].items()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert acknowledged, "expected the justified suppressions in the template metadata"
    for logical_id, rule in acknowledged:
        assert len(rule["reason"].strip()) >= MIN_REASON_CHARS, (logical_id, rule)


def test_cdk_nag_stops_synth_on_a_finding(tmp_path: Path) -> None:
    """The check is live: a bucket without access logs or a TLS-only policy fails synth."""
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Probe")
    s3.Bucket(stack, "Careless", enforce_ssl=False)
    check_app(app)
    try:
        app.synth()
    except RuntimeError as exc:
        assert "AwsSolutions-S" in str(exc) or "Validation failed" in str(exc)
    else:
        raise AssertionError("cdk-nag let an unlogged, non-TLS-only bucket through")
