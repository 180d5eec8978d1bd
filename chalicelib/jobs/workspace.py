"""A job's scratch folder on local disk and the media files it publishes.

Each attempt of a job writes under its own prefix (``{parent}{job_id}/``): a
record only ever points at the outputs of the attempt that published, and
whatever other attempts left is deleted once one has.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chalicelib.config import Settings
from chalicelib.storage import objects

CONTENT_TYPES = {".mp4": "video/mp4", ".jpg": "image/jpeg", ".vtt": "text/vtt"}


def sweep_stale_workdirs(root: Path, older_than_s: float) -> None:
    """Lambda keeps /tmp between invocations: leftovers of killed jobs go here."""
    if not root.exists():
        return
    cutoff = time.time() - older_than_s
    for entry in root.iterdir():
        try:
            if entry.is_dir() and entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)
        except FileNotFoundError:
            continue


def upload_output(path: Path, prefix: str, settings: Settings) -> None:
    objects.upload(
        path, settings.media_bucket, prefix + path.name, CONTENT_TYPES[path.suffix], settings
    )


def delete_other_attempts(parent_prefix: str, keep_prefix: str, settings: Settings) -> None:
    """Outputs left by earlier, killed attempts are garbage once one attempt published."""
    for prefix in objects.list_prefixes(settings.media_bucket, parent_prefix, settings):
        if prefix != keep_prefix:
            objects.delete_prefix(settings.media_bucket, prefix, settings)


@dataclass
class Attempt:
    workdir: Path
    prefix: str
    published: bool = False

    def upload(self, path: Path, settings: Settings) -> str:
        upload_output(path, self.prefix, settings)
        return self.prefix + path.name


@contextmanager
def attempt(settings: Settings, *, parent_prefix: str, job_id: str) -> Iterator[Attempt]:
    """A scratch folder and an output prefix for one attempt of a job.

    On the way out the folder goes; if the attempt did not mark itself
    ``published``, its outputs go too (nothing references them), and if it did,
    what earlier attempts left under ``parent_prefix`` goes instead.
    """
    sweep_stale_workdirs(settings.work_dir, older_than_s=settings.worker_timeout_s * 2)
    current = Attempt(settings.work_dir / job_id, f"{parent_prefix}{job_id}/")
    current.workdir.mkdir(parents=True, exist_ok=True)
    try:
        yield current
    finally:
        shutil.rmtree(current.workdir, ignore_errors=True)
        if not current.published:
            objects.delete_prefix(settings.media_bucket, current.prefix, settings)
    delete_other_attempts(parent_prefix, current.prefix, settings)
