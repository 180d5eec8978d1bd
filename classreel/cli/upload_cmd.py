"""`classreel upload FILE`: upload like the phone app, optionally wait until ready.

Large files go up in parallel multipart chunks; each chunk is retried, and an
interrupted upload resumes (the parts S3 already holds are skipped) when the
same file is uploaded again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from chalicelib.media import formats
from chalicelib.videos.schemas import CONTENT_TYPE_BY_EXTENSION, UNKNOWN_CONTENT_TYPE
from classreel.cli.client import DEFAULT_API, ApiClient, ApiError

PARALLEL_PARTS = 4


def _state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "classreel" / "uploads"


class ResumeState:
    """Remembers an unfinished multipart upload of a file, keyed by the file's identity."""

    def __init__(self, api: str, path: Path) -> None:
        stat = path.stat()
        identity = f"{api}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
        self._file = _state_dir() / f"{hashlib.sha256(identity.encode()).hexdigest()[:32]}.json"

    def load(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(self._file.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        return data

    def save(self, data: dict[str, Any]) -> None:
        self._file.parent.mkdir(parents=True, exist_ok=True)
        self._file.write_text(json.dumps(data))

    def clear(self) -> None:
        self._file.unlink(missing_ok=True)


def _content_type(path: Path) -> str:
    """What to declare: the usual type for the name, else application/octet-stream.

    Never a reason to refuse: the worker decides from the bytes (``classreel probe``
    tells beforehand), so a camcorder's 00001.MTS or a file without a name goes up.
    """
    extension = path.suffix.lower().lstrip(".")
    return CONTENT_TYPE_BY_EXTENSION.get(extension, UNKNOWN_CONTENT_TYPE)


def _bar(total: int, description: str, quiet: bool) -> tqdm[Any]:
    return tqdm(
        total=total,
        desc=description,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        disable=quiet,
        file=sys.stderr,
    )


def _upload_multipart(
    client: ApiClient, path: Path, upload: dict[str, Any], size: int, quiet: bool
) -> None:
    key, upload_id, part_size = upload["key"], upload["upload_id"], int(upload["part_size"])
    count = int(upload["part_count"])
    query = {"key": key}
    held = {
        int(p["PartNumber"]): p
        for p in client.request("GET", f"/s3/multipart/{upload_id}", params=query)
    }
    etags: dict[int, str] = {n: str(p["ETag"]) for n, p in held.items()}
    lock = threading.Lock()
    with _bar(size, "upload", quiet) as bar:
        bar.update(sum(int(p["Size"]) for p in held.values()))

        def send(number: int) -> None:
            with path.open("rb") as handle:
                handle.seek((number - 1) * part_size)
                data = handle.read(part_size)
            signed = client.request("GET", f"/s3/multipart/{upload_id}/{number}", params=query)
            etag = client.put_part(signed["url"], data)
            with lock:
                etags[number] = etag
                bar.update(len(data))

        missing = [n for n in range(1, count + 1) if n not in held]
        with ThreadPoolExecutor(max_workers=PARALLEL_PARTS) as pool:
            for future in [pool.submit(send, n) for n in missing]:
                future.result()
    client.request(
        "POST",
        f"/s3/multipart/{upload_id}/complete",
        params=query,
        json={"parts": [{"PartNumber": n, "ETag": etags[n]} for n in sorted(etags)]},
    )


@dataclass
class Waited:
    """What ``--wait`` saw: the final video, and when it became playable and finished."""

    video: dict[str, Any]
    playable_after_s: float | None
    finished_after_s: float


def playable_line(video_id: str, seconds: float) -> str:
    return (
        f"video {video_id}: playable after {seconds:.1f} s "
        "(it can be watched from the start while the rest encodes)"
    )


def _wait(client: ApiClient, video_id: str, quiet: bool, timeout_s: float) -> Waited:
    """Poll until ready or failed; say ``playable`` (and how long it took) as soon as it is."""
    started = time.monotonic()
    deadline = started + timeout_s
    playable_after: float | None = None
    with tqdm(total=100, desc="processing", unit="%", disable=quiet, file=sys.stderr) as bar:
        while True:
            video: dict[str, Any] = client.request("GET", f"/videos/{video_id}")
            if video.get("playable") and playable_after is None:
                playable_after = time.monotonic() - started
                # On stderr, so --json keeps stdout one JSON document.
                tqdm.write(playable_line(video_id, playable_after), file=sys.stderr)
            if video["status"] in ("ready", "failed"):
                bar.update(100 - bar.n)
                return Waited(video, playable_after, time.monotonic() - started)
            done = round(float(video.get("progress") or 0) * 100)
            if done > bar.n:
                bar.update(done - bar.n)
            if time.monotonic() > deadline:
                raise click.ClickException(f"video {video_id} is still {video['status']}")
            time.sleep(1)


@click.command("upload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", default=None, help="Defaults to the file name.")
@click.option("--reflection", default=None, help="Your written reflection on the lesson.")
@click.option("--wait", is_flag=True, help="Wait until the video is ready (exit 1 if it fails).")
@click.option("--json", "as_json", is_flag=True, help="Print the final video object as JSON.")
@click.option("--api", envvar="CLASSREEL_API", default=DEFAULT_API, show_default=True)
@click.option("--token", envvar="CLASSREEL_TOKEN", required=True, help="Or CLASSREEL_TOKEN.")
@click.option("--timeout", "timeout_s", default=3600.0, help="How long --wait waits (seconds).")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def upload(
    file: Path,
    title: str | None,
    reflection: str | None,
    wait: bool,
    as_json: bool,
    api: str,
    token: str,
    timeout_s: float,
    quiet: bool,
) -> None:
    """Upload a lesson video FILE directly to storage, as the phone app does."""
    size = file.stat().st_size
    if size == 0:
        raise click.ClickException(f"{file.name} is empty (0 bytes)")
    # The worker's own first look at the bytes (a playlist, a photo, a document...):
    # refused here before a byte is sent, by content, whatever the name.
    not_a_video = formats.sniff(formats.read_head(file))
    if not_a_video is not None:
        raise click.ClickException(f"{file.name}: {not_a_video}")
    content_type = _content_type(file)
    client = ApiClient(api, token)
    resume = ResumeState(api, file)
    try:
        video_id = _start_or_resume(
            client, resume, file, size, content_type, title, reflection, quiet
        )
        resume.clear()
        waited = _wait(client, video_id, quiet, timeout_s) if wait else None
        video = waited.video if waited else client.request("GET", f"/videos/{video_id}")
    except ApiError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(video, indent=2))
    elif waited is not None:
        click.echo(f"video {video['id']}: {video['status']} after {waited.finished_after_s:.1f} s")
    else:
        click.echo(f"video {video['id']}: {video['status']}")
    if video["status"] == "failed":
        click.echo(f"failed: {video['failure_reason']}", err=True)
        raise SystemExit(1)


def _start_or_resume(
    client: ApiClient,
    resume: ResumeState,
    file: Path,
    size: int,
    content_type: str,
    title: str | None,
    reflection: str | None,
    quiet: bool,
) -> str:
    saved = resume.load()
    if saved is not None:
        try:
            client.request(
                "GET",
                f"/s3/multipart/{saved['upload']['upload_id']}",
                params={"key": saved["upload"]["key"]},
            )
        except ApiError:
            saved = None  # finished, cancelled or expired: start over
    if saved is None:
        created = client.request(
            "POST",
            "/videos",
            json={
                "title": title or file.stem,
                "filename": file.name,
                "content_type": content_type,
                "size_bytes": size,
                "reflection": reflection,
            },
        )
        video_id = str(created["video"]["id"])
        upload = created["upload"]
        if upload["mode"] == "multipart":
            resume.save({"video_id": video_id, "upload": upload})
    else:
        video_id, upload = str(saved["video_id"]), saved["upload"]
        click.echo(f"resuming the upload of video {video_id}", err=True)

    if upload["mode"] == "post":
        with file.open("rb") as handle, _bar(size, "upload", quiet) as bar:
            client.post_form(
                upload["url"],
                upload["fields"],
                handle,
                file.name,
                content_type,
                bar.update,
            )
    else:
        _upload_multipart(client, file, upload, size, quiet)
    return video_id
