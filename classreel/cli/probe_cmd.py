"""`classreel probe FILE`: what the pipeline will do with a file, before uploading it.

It runs the worker's own examination (chalicelib.media.examination.examine: the
same fenced ffprobe, the same interlacing measurement, the same pure
``plan.decide``) on the local file, so it cannot tell a teacher something the
worker would then do differently. Exit status: 0 accepted, 1 refused.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from chalicelib.config import get_settings
from chalicelib.media.errors import MediaRejected, MediaToolCrashed
from chalicelib.media.examination import Examination, examine
from chalicelib.media.plan import MediaPlan
from chalicelib.media.probe import MediaInfo


def summary(name: str, plan: MediaPlan, info: MediaInfo | None) -> dict[str, Any]:
    """The plan as plain data (what ``--json`` prints)."""
    video = info.video if info else None
    audio = info.audio if info else None
    colour = plan.colour
    return {
        "file": name,
        "accepted": plan.accepted,
        "reason": plan.reason,
        "container": plan.container.label if plan.container else None,
        "duration_s": round(info.duration_s, 3) if info and info.duration_s else None,
        "source": {
            "video": None
            if video is None
            else {
                "codec": video.codec,
                "width": video.width,
                "height": video.height,
                "pixel_format": video.pix_fmt,
                "field_order": video.field_order,
                "transfer": video.color_transfer,
                "primaries": video.color_primaries,
                "dolby_vision_profile": video.dolby_vision.profile if video.dolby_vision else None,
            },
            "audio": None
            if audio is None
            else {
                "codec": audio.codec,
                "channels": audio.channels,
                "sample_rate": audio.sample_rate,
            },
        },
        "action": None if not plan.accepted else ("remux" if plan.remux else "transcode"),
        "why_transcode": list(plan.encode_reasons),
        "renditions": [
            {"label": r.label, "width": r.width, "height": r.height, "remux": r.remux}
            for r in plan.renditions
        ],
        "tone_map": None
        if colour is None or plan.tone_mapper is None
        else {
            "from": colour.hdr.value
            if colour.hdr
            else f"{colour.bit_depth}-bit {colour.primaries}",
            "to": "SDR BT.709 8-bit",
            "method": plan.tone_mapper.value,
            "peak_nits": colour.peak_nits if colour.hdr else None,
        },
        "rotation": plan.rotation,
        "deinterlace": None
        if plan.interlacing is None
        else {"parity": plan.interlacing.parity, "detected_by": plan.interlacing.detected_by},
        "audio": None
        if plan.audio is None
        else {
            "channels_in": plan.audio.source_channels,
            "channels_out": plan.audio.output_channels,
            "downmix": plan.audio.downmix,
            "sample_rate_in": plan.audio.source_rate,
            "sample_rate_out": plan.audio.output_rate,
        },
    }


def _lines(facts: dict[str, Any]) -> list[str]:
    if not facts["accepted"]:
        return [f"{facts['file']}: refused", f"  why: {facts['reason']}"]
    video = facts["source"]["video"]
    lines = [
        f"{facts['file']}: accepted ({facts['container']}, {video['codec']} "
        f"{video['width']}x{video['height']}, {facts['duration_s']} s)"
    ]
    copied = [r["label"] for r in facts["renditions"] if r["remux"]]
    labels = ", ".join(r["label"] for r in facts["renditions"] if not r["remux"])
    if facts["action"] == "remux":
        more = f", plus {labels} encoded" if labels else ""
        lines.append(f"  video:       copied as it is as {copied[0]} (web-ready){more}")
    else:
        lines.append(f"  video:       transcoded to {labels}")
        lines += [f"               because {reason}" for reason in facts["why_transcode"]]
    tone = facts["tone_map"]
    lines.append(
        "  colour:      "
        + (f"{tone['from']} -> {tone['to']} ({tone['method']})" if tone else "SDR, kept")
    )
    rotation = facts["rotation"]
    lines.append(
        "  rotation:    "
        + (f"stored rotated {rotation} degrees -> made upright" if rotation else "none")
    )
    deint = facts["deinterlace"]
    if deint:
        found = "from the stream" if deint["detected_by"] == "stream" else "measured"
        lines.append(f"  interlacing: {deint['parity']} ({found}) -> deinterlaced")
    else:
        lines.append("  interlacing: progressive")
    audio = facts["audio"]
    if audio is None:
        lines.append("  audio:       none")
    else:
        mix = (
            f"{audio['channels_in']} channels -> stereo (dialogue kept)"
            if audio["downmix"]
            else ("mono kept" if audio["channels_out"] == 1 else "stereo")
        )
        lines.append(
            f"  audio:       {mix}, {audio['sample_rate_in']} Hz -> {audio['sample_rate_out']} Hz"
        )
    return lines


@click.command("probe")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def probe(file: Path, as_json: bool) -> None:
    """Say what ClassReel will do with FILE: accepted or refused and why, remux or
    transcode, HDR tone-mapping, rotation, deinterlacing, audio downmix."""
    settings = get_settings()
    examination: Examination | None = None
    try:
        examination = examine(file, settings)
        facts = summary(file.name, examination.plan, examination.info)
    except MediaRejected as exc:
        facts = summary(file.name, MediaPlan(accepted=False, reason=exc.reason), None)
    except MediaToolCrashed as exc:
        raise click.ClickException(f"ffprobe could not read {file.name}: {exc}") from exc
    if as_json:
        click.echo(json.dumps(facts, indent=2))
    else:
        click.echo("\n".join(_lines(facts)))
    sys.exit(0 if facts["accepted"] else 1)
