"""`classreel local up` as a developer runs it (what `make run` calls)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import requests

from classreel.local.processes import free_port

pytestmark = pytest.mark.e2e

CLI = [sys.executable, "-m", "classreel.cli.main"]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has exited all the same.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _start(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLASSREEL_")}
    return subprocess.Popen(
        [*CLI, "local", "up", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def _wait_healthy(process: subprocess.Popen[str], url: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not up, or slow to answer yet
            pass
        time.sleep(0.5)
    raise AssertionError("the stack did not become healthy")


def _stop_with_ctrl_c(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=90)
    assert process.returncode == 0, output
    return output


def test_up_serves_health_prints_a_token_and_ctrl_c_leaves_nothing_behind(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = _start(tmp_path, port)
    try:
        _wait_healthy(process, url)
        state = json.loads((tmp_path / "stack.json").read_text())
        pids = list(state["pids"].values())
        assert set(state["pids"]) == {"moto", "dynamodb", "mail", "runner", "api"}
        assert all(_pid_alive(pid) for pid in pids)

        # Leave some data behind to check persistence across a restart.
        endpoint = state["moto_url"]
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        s3.put_object(Bucket="classreel-media", Key="kept/object.txt", Body=b"still here")
        ddb = boto3.client("dynamodb", endpoint_url=state["dynamodb_url"], region_name="us-east-1")
        ddb.put_item(TableName="classreel", Item={"pk": {"S": "KEEP"}, "sk": {"S": "ME"}})
    finally:
        output = _stop_with_ctrl_c(process)

    assert "CLASSREEL_TOKEN=" in output
    assert f"{url}/" in output
    assert not any(_pid_alive(pid) for pid in pids), "a child process outlived Ctrl-C"
    assert not (tmp_path / "stack.json").exists()

    token = next(
        line.split("CLASSREEL_TOKEN=", 1)[1].strip()
        for line in output.splitlines()
        if "CLASSREEL_TOKEN=" in line
    )

    process = _start(tmp_path, port)
    try:
        _wait_healthy(process, url)
        state = json.loads((tmp_path / "stack.json").read_text())
        s3 = boto3.client("s3", endpoint_url=state["moto_url"], region_name="us-east-1")
        body = s3.get_object(Bucket="classreel-media", Key="kept/object.txt")["Body"].read()
        assert body == b"still here"
        ddb = boto3.client("dynamodb", endpoint_url=state["dynamodb_url"], region_name="us-east-1")
        item = ddb.get_item(TableName="classreel", Key={"pk": {"S": "KEEP"}, "sk": {"S": "ME"}})
        assert "Item" in item
        # The printed token still works: the signing key persisted too.
        me = requests.get(f"{url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert me.status_code == 200
        assert me.json()["roles"] == ["teacher"]
    finally:
        _stop_with_ctrl_c(process)


def test_status_and_down(tmp_path: Path) -> None:
    port = free_port()
    process = _start(tmp_path, port)
    try:
        _wait_healthy(process, f"http://127.0.0.1:{port}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLASSREEL_")}
        status = subprocess.run(
            [*CLI, "local", "status", "--data-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        assert json.loads(status.stdout)["health"]["status"] == "ok"
        subprocess.run([*CLI, "local", "down", "--data-dir", str(tmp_path)], env=env, check=True)
        process.wait(timeout=90)
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
