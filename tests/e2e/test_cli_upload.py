"""`classreel upload --wait` against the running stack, for each kind of file."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from chalicelib.auth.principal import Role
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.media_corpus import SAMPLES, Sample, build
from tests.support.users import TokenFactory

pytestmark = pytest.mark.e2e


def _cli(
    args: list[str], stack: LocalStack, token: str, state_dir: Path
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLASSREEL_")}
    env.update(CLASSREEL_API=stack.api_url, CLASSREEL_TOKEN=token, XDG_STATE_HOME=str(state_dir))
    return subprocess.run(
        [sys.executable, "-m", "classreel.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _named(sample: Sample, corpus_dir: Path, tmp_path: Path) -> Path:
    """The file under the name a teacher's phone would give it."""
    target = tmp_path / sample.name / sample.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build(sample, corpus_dir).read_bytes())
    return target


def _one_of_each_kind() -> list[Sample]:
    """A file of each name ending (the CLI declares the type from it) and each reason a
    file is refused. Every sample goes through the pipeline in
    tests/integration/ingest/test_media_corpus.py; here the CLI's own part is tested."""
    kinds: dict[tuple[str, str], Sample] = {}
    for sample in SAMPLES:
        kind = Path(sample.filename).suffix.lower() if sample.outcome == "ready" else sample.reason
        kinds.setdefault((sample.outcome, kind), sample)
    return list(kinds.values())


def test_each_kind_of_file_through_the_cli(
    local_stack: LocalStack, tokens: TokenFactory, corpus_dir: Path, tmp_path: Path
) -> None:
    token = tokens.token("teacher-cli", Role.TEACHER)
    kinds = [s for s in _one_of_each_kind() if s.name != "empty"]
    assert len(kinds) >= 14, [s.name for s in kinds]
    files = {s.name: _named(s, corpus_dir, tmp_path) for s in kinds}

    def run(sample: Sample) -> tuple[Sample, subprocess.CompletedProcess[str]]:
        args = [
            "upload",
            str(files[sample.name]),
            "--wait",
            "--json",
            "--quiet",
            "--title",
            sample.name,
            "--reflection",
            "Wait time went well",
        ]
        return sample, _cli(args, local_stack, token, tmp_path / "state")

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, kinds))

    for sample, result in results:
        if not result.stdout and sample.outcome == "failed":
            # Refused by its bytes before anything was sent (a photo, a playlist).
            assert result.returncode == 1, (sample.name, result.stderr)
            assert sample.reason.lower() in result.stderr.lower(), (sample.name, result.stderr)
            continue
        video = json.loads(result.stdout)
        assert video["title"] == sample.name
        assert video["reflection"] == "Wait time went well"
        if sample.outcome == "ready":
            assert result.returncode == 0, (sample.name, result.stderr[-500:])
            assert video["status"] == "ready"
            # Said as soon as it was true, before the wait for ``ready`` ended.
            assert f"video {video['id']}: playable after " in result.stderr, result.stderr
            # One download MP4 (the streams are HLS, tested with the lessons).
            assert [r["label"] for r in video["renditions"]] == [sample.labels[0]]
            assert video["hls"] is True
            assert requests.get(video["renditions"][0]["url"], timeout=30).status_code == 200
        else:
            assert result.returncode == 1, (sample.name, result.stdout)
            assert video["status"] == "failed"
            assert sample.reason in video["failure_reason"]
            assert f"failed: {video['failure_reason']}" in result.stderr


def test_cli_refuses_empty_and_unknown_files_before_uploading(
    local_stack: LocalStack, tokens: TokenFactory, tmp_path: Path
) -> None:
    token = tokens.token("teacher-cli-2", Role.TEACHER)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    result = _cli(["upload", str(empty)], local_stack, token, tmp_path)
    assert result.returncode != 0 and "empty (0 bytes)" in result.stderr
    # Refused by its bytes, whatever it is called (a camcorder's 00001.MTS is not).
    pdf = tmp_path / "notes.mp4"
    pdf.write_bytes(b"%PDF-1.7\n")
    result = _cli(["upload", str(pdf)], local_stack, token, tmp_path)
    assert result.returncode != 0 and "a document or an archive" in result.stderr
    bad_token = _cli(["upload", str(pdf.with_name("x.mp4"))], local_stack, "garbage", tmp_path)
    assert bad_token.returncode != 0


def test_cli_resumes_an_interrupted_multipart_upload(
    local_stack: LocalStack, tokens: TokenFactory, big_video: Path, tmp_path: Path
) -> None:
    big = big_video
    token = tokens.token("teacher-cli-3", Role.TEACHER)
    api = Api(local_stack.api_url, token)
    # What an interrupted run leaves: a video, its upload, one part in S3, and the
    # CLI's resume note for this file.
    created = api.create_video(big, filename="big.mp4")
    upload = created["upload"]
    signed = api.ok("GET", f"/s3/multipart/{upload['upload_id']}/1", params={"key": upload["key"]})
    with big.open("rb") as handle:
        requests.put(signed["url"], data=handle.read(upload["part_size"]), timeout=60)
    stat = big.stat()
    identity = f"{local_stack.api_url}|{big.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    note = (
        tmp_path
        / "classreel"
        / "uploads"
        / f"{hashlib.sha256(identity.encode()).hexdigest()[:32]}.json"
    )
    note.parent.mkdir(parents=True)
    note.write_text(json.dumps({"video_id": created["video"]["id"], "upload": upload}))

    result = _cli(["upload", str(big), "--wait", "--json", "--quiet"], local_stack, token, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"resuming the upload of video {created['video']['id']}" in result.stderr
    video = json.loads(result.stdout)
    assert video["id"] == created["video"]["id"]
    assert video["status"] == "ready"
    assert not note.exists()
