"""The face-redaction worker as a container-image function, synthesized without Docker.

Its image asset is recorded with exactly the build context its Dockerfile copies; the
function consumes the redaction queue with partial batch responses, traced, with a role
that reads clips and writes only their redacted folders.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib.config import Settings
from chalicelib.jobs.queues import work_queues
from tests.infrastructure.conftest import Synthesized

FUNCTION = "classreel-dev-redaction"


def _function(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (logical_id, resource)
        for logical_id, resource in synthesized.resources("AWS::Lambda::Function").items()
        if resource["Properties"].get("FunctionName") == FUNCTION
    ]
    return found


def _statements(synthesized: Synthesized, role_ref: object) -> list[dict[str, Any]]:
    role = synthesized.document["Resources"][synthesized.logical_id(role_ref)]["Properties"]
    return [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]


def _text(value: object) -> str:
    return json.dumps(value)


def test_the_function_is_an_image_of_the_redaction_handler(synthesized: Synthesized) -> None:
    _, function = _function(synthesized)
    properties = function["Properties"]
    assert properties["PackageType"] == "Image"
    assert properties["ImageConfig"]["Command"] == [
        "chalicelib.redaction.handler.handle_redaction_batch"
    ]
    assert properties["Architectures"] == ["x86_64"]
    assert properties["TracingConfig"] == {"Mode": "Active"}
    assert properties["EphemeralStorage"] == {"Size": 10240}
    assert properties["MemorySize"] >= 1769 * 2  # two vCPUs: detector beside ffmpeg
    variables = properties["Environment"]["Variables"]
    assert variables["CLASSREEL_FFMPEG_BINARY"] == "/opt/bin/ffmpeg"
    assert "CLASSREEL_TABLE_NAME" in variables and "CLASSREEL_QUEUE_URLS" in variables


def test_its_image_asset_holds_exactly_what_the_dockerfile_copies(
    synthesized: Synthesized,
) -> None:
    manifest = json.loads(next(synthesized.outdir.glob("*.assets.json")).read_text())
    (image,) = manifest["dockerImages"].values()
    context = synthesized.outdir / image["source"]["directory"]
    assert sorted(p.name for p in context.iterdir()) == [
        "Dockerfile",
        "bin",
        "chalicelib",
        "requirements-redaction.txt",
    ]
    assert sorted(p.name for p in (context / "bin").iterdir()) == ["ffmpeg", "ffprobe"]
    assert (context / "chalicelib" / "redaction" / "handler.py").is_file()
    assert not list(context.rglob("__pycache__"))
    dockerfile = (context / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile and "awslambdaric" in dockerfile
    lock = (context / "requirements-redaction.txt").read_text()
    assert "mediapipe==0.10.21" in lock and "awslambdaric==" in lock


def test_it_consumes_the_redaction_queue_with_partial_batch_responses(
    synthesized: Synthesized, deployed_settings: Settings
) -> None:
    logical_id, function = _function(synthesized)
    spec = work_queues(deployed_settings)["redaction"]
    assert spec.container_image
    (mapping,) = [
        m["Properties"]
        for m in synthesized.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": logical_id}
    ]
    queue = synthesized.document["Resources"][synthesized.logical_id(mapping["EventSourceArn"])]
    assert queue["Properties"]["QueueName"] == spec.name(deployed_settings)
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == spec.batch_size
    assert "MaximumConcurrency" in mapping["ScalingConfig"]
    # Six function timeouts fit in the visibility timeout (no redelivery while it runs).
    timeout = function["Properties"]["Timeout"]
    assert queue["Properties"]["VisibilityTimeout"] >= 6 * timeout


def test_its_role_reads_clips_and_writes_only_their_redacted_folders(
    synthesized: Synthesized,
) -> None:
    _, function = _function(synthesized)
    statements = _statements(synthesized, function["Properties"]["Role"])
    writes = [
        s for s in statements if any(a in ("s3:PutObject", "s3:DeleteObject") for a in s["Action"])
    ]
    assert writes and all("/clips/*/redacted/*" in _text(s["Resource"]) for s in writes)
    reads = [s for s in statements if "s3:GetObject" in s["Action"]]
    assert [_text(s["Resource"]).count("/clips/*") for s in reads] == [1]
    assert "raw/" not in _text(statements) and "videos/" not in _text(statements)
    actions = {a for s in statements for a in s["Action"]}
    assert not any(a.endswith("*") for a in actions)
    assert "dynamodb:Scan" not in actions
    # Only its own queue: consume, and send itself a message that waits for the share.
    sqs = [s for s in statements if any(a.startswith("sqs:") for a in s["Action"])]
    queues = {synthesized.logical_id(s["Resource"]) for s in sqs}
    assert len(queues) == 1
    # CDK added no policy of its own beside the role's inline one.
    role_id = synthesized.logical_id(function["Properties"]["Role"])
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        assert {"Ref": role_id} not in policy["Properties"].get("Roles", [])


def test_the_api_may_queue_redactions(
    synthesized: Synthesized, deployed_settings: Settings
) -> None:
    api = synthesized.functions()["classreel-dev-api"]
    statements = _statements(synthesized, api["Properties"]["Role"])
    (send,) = [s for s in statements if s.get("Sid") == "QueueRedactions"]
    queue = synthesized.document["Resources"][synthesized.logical_id(send["Resource"])]
    assert queue["Properties"]["QueueName"] == (
        work_queues(deployed_settings)["redaction"].name(deployed_settings)
    )
    assert send["Action"] == "sqs:SendMessage" or send["Action"] == ["sqs:SendMessage"]


def test_the_dockerfile_is_what_the_asset_carries() -> None:
    here = Path(__file__).resolve().parents[2] / "infrastructure" / "redaction" / "Dockerfile"
    text = here.read_text()
    # Debian (glibc >= 2.28 for MediaPipe), Python 3.11 as everywhere else.
    assert "python:3.11" in text and "bookworm" in text
    assert 'CMD ["chalicelib.redaction.handler.handle_redaction_batch"]' in text
