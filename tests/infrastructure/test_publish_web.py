"""What ``make deploy`` uploads of the web client (no AWS: file selection only)."""

from __future__ import annotations

import json
from pathlib import Path

from infrastructure.publish_web import served_root, stack_outputs, web_config, web_files


def test_a_built_client_is_served_from_dist(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.ts").write_text("//")
    (tmp_path / "dist" / "assets").mkdir(parents=True)
    (tmp_path / "dist" / "index.html").write_text("<!doctype html>")
    (tmp_path / "dist" / "assets" / "app.js").write_text("//")
    root = served_root(tmp_path)
    assert root == tmp_path / "dist"
    assert [p.relative_to(root).as_posix() for p in web_files(root)] == [
        "assets/app.js",
        "index.html",
    ]


def test_sources_and_node_modules_are_not_published(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html>")
    for skipped in ("src", "node_modules"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "x.js").write_text("//")
    assert web_files(served_root(tmp_path)) == [tmp_path / "index.html"]


def test_outputs_of_the_classreel_stack_are_read(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"ClassReel-prod": {"WebBucket": "b", "DistributionId": "d"}}))
    assert stack_outputs(outputs)["WebBucket"] == "b"


def test_the_deployed_client_signs_in_with_cognito_and_calls_the_api_under_api() -> None:
    hosted_ui = "https://classreel-prod-signin.auth.us-east-1.amazoncognito.com"
    outputs = {
        "UserPoolId": "us-east-1_abc",
        "UserPoolClientId": "client123",
        "HostedUiUrl": hosted_ui,
    }
    config = web_config(outputs, "us-east-1")
    assert config["auth"] == "cognito"
    assert config["hosted_ui_url"] == hosted_ui
    assert config["api_base"] == "/api"
    assert config["client_id"] == "client123"
    assert "mp4" in config["upload"]["extensions"]  # type: ignore[index]
    # Dev tokens exist only in the local twin's server, never in a deployment.
    assert "demo_users" not in config
