"""Watching a lesson as a player does: playback access, playlists, segments, all on the twin."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from chalicelib.media import hls
from tests.support.api import Api


def open_playback(api: Api, video_id: str) -> dict[str, Any]:
    """POST /videos/{id}/playback: the view; its cookies land in the api's session."""
    view: dict[str, Any] = api.ok("POST", f"/videos/{video_id}/playback")
    return view


Renew = Callable[[], object]


def fetch(api: Api, path: str, renew: Renew | None = None) -> requests.Response:
    """A /media/ path with whatever playback cookies the session holds (no bearer token).

    With ``renew``, a refusal is answered as the player answers it: ask for access again
    and retry once. Tests that run with access of a few seconds need this whenever the
    machine is slow enough for the access to run out between two requests."""
    response = requests.get(f"{api.base_url}{path}", cookies=api.session.cookies, timeout=60)
    if response.status_code == 403 and renew is not None:
        renew()
        response = requests.get(f"{api.base_url}{path}", cookies=api.session.cookies, timeout=60)
    return response


@dataclass(frozen=True)
class Mirror:
    master: Path
    variants: dict[str, Path]  # rendition folder -> its playlist
    audio: Path | None


def mirror(api: Api, master_path: str, target: Path, renew: Renew | None = None) -> Mirror:
    """Download the master playlist and everything it lists, keeping relative paths, so
    ffmpeg can play the copy from disk as a player plays the original."""
    base = master_path.rsplit("/", 1)[0] + "/"
    target.mkdir(parents=True, exist_ok=True)

    def save(relative: str) -> str:
        response = fetch(api, base + relative, renew)
        assert response.status_code == 200, (relative, response.status_code, response.text[:200])
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(response.content)
        return response.text if relative.endswith(".m3u8") else ""

    text = save(master_path.rsplit("/", 1)[1])
    variants: dict[str, Path] = {}
    audio: Path | None = None
    playlists = [line for line in text.splitlines() if line and not line.startswith("#")]
    for line in text.splitlines():
        if line.startswith("#EXT-X-MEDIA:") and 'URI="' in line:
            playlists.append(line.split('URI="', 1)[1].split('"', 1)[0])
    for playlist in playlists:
        folder = playlist.rsplit("/", 1)[0] + "/"
        entries = hls.read_media_playlist(save(playlist))
        for init in {entry.init_uri for entry in entries}:
            save(folder + init)
        for entry in entries:
            save(folder + entry.uri)
        if folder.startswith("audio"):
            audio = target / playlist
        else:
            variants[folder.rstrip("/")] = target / playlist
    return Mirror(target / master_path.rsplit("/", 1)[1], variants, audio)


def frames_and_duration(playlist: Path) -> tuple[int, float]:
    """Decoded video frames and the stream's duration, read from a local HLS copy."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
         "-show_entries", "stream=nb_read_frames:format=duration", "-of", "default=nw=1",
         str(playlist)],
        capture_output=True, text=True, check=True, timeout=300,
    ).stdout  # fmt: skip
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return int(values["nb_read_frames"]), float(values["duration"])


def remux_to_mp4(variant: Path, audio: Path | None, target: Path) -> Path:
    """One rendition with the sound, as a player would combine them, into a file to measure."""
    inputs = ["-i", str(variant)] + (["-i", str(audio)] if audio else [])
    maps = ["-map", "0:v:0"] + (["-map", "1:a:0"] if audio else [])
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         *inputs, *maps, "-c", "copy", str(target)],
        check=True, timeout=300,
    )  # fmt: skip
    return target
