"""A job's scratch folder on local disk and the media files it publishes."""

from __future__ import annotations

import shutil
import time
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
