"""The ffmpeg side of segment-parallel encoding: cut, encode a segment, package a track.

A lesson is cut (streams copied, no decoding) into chunks of a few segments
each: a chunk task reads its own span of the upload where it lies (ranged reads
through a ``formats.RemoteSource``), never the whole lesson. A chunk starts on the
source keyframe at or before its first segment and runs a second past its
last, so every segment can be decoded exactly from it. Each segment is then
encoded for every rendition in one decode (the same picture chain as the
whole-file encoder, ``filters``), as fragmented MP4 that ``hls.split_segment``
turns into HLS segments. Sound is one track for the whole lesson, copied when
the source's already plays in browsers, else encoded once: per-segment AAC
would click at every join.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

from chalicelib.config import Settings
from chalicelib.media import filters, formats, hls
from chalicelib.media.errors import MediaRejected
from chalicelib.media.ladder import Rendition
from chalicelib.media.plan import AudioPlan, MediaPlan
from chalicelib.media.probe import NOT_A_VIDEO
from chalicelib.media.runner import ProgressCallback, run_ffmpeg, timeout_for

CHUNK_DEMUXER = "matroska"  # holds any codec we accept, and keeps the display rotation
# Past a chunk's last segment, so frames that follow it in decode order are there.
CHUNK_TAIL_S = 1.0
AUDIO_SAMPLE_RATES = (44_100, 48_000)
_FRAGMENTED = "+frag_keyframe+empty_moov+default_base_moof"


def _ffmpeg(settings: Settings) -> list[str]:
    return [settings.ffmpeg_binary, "-hide_banner", "-nostdin", "-y"]


def _output_rate(plan: MediaPlan) -> Fraction:
    if not plan.accepted or plan.fps is None:
        raise MediaRejected(plan.reason or NOT_A_VIDEO)
    return plan.fps


def cut_chunk_command(
    source: formats.MediaInput,
    target: Path,
    start_s: float,
    end_s: float,
    plan: MediaPlan,
    settings: Settings,
) -> list[str]:
    """The video stream from the keyframe at or before ``start_s`` to past ``end_s``, copied.

    ``-copyts`` keeps the source's clock, so the chunk says where it starts.
    """
    return [
        *_ffmpeg(settings), "-copyts",
        "-ss", f"{start_s:.6f}",
        *formats.input_args(source, plan.demuxer),
        "-to", f"{end_s + CHUNK_TAIL_S:.6f}",
        "-map", f"0:{plan.video_stream_index}", "-c", "copy",
        "-map_metadata", "-1", "-map_chapters", "-1",
        "-f", CHUNK_DEMUXER, str(target),
    ]  # fmt: skip


def cut_chunk(
    source: formats.MediaInput,
    target: Path,
    start_s: float,
    end_s: float,
    plan: MediaPlan,
    settings: Settings,
) -> None:
    # Copying costs I/O only: a generous fixed budget.
    run_ffmpeg(
        cut_chunk_command(source, target, start_s, end_s, plan, settings),
        settings,
        timeout_s=timeout_for(end_s - start_s, settings) / 4 + 60,
    )


def encode_segment_command(
    chunk: Path,
    chunk_start_s: float,
    span: hls.SegmentSpan,
    plan: MediaPlan,
    outputs: Sequence[tuple[Rendition, Path]],
    settings: Settings,
) -> list[str]:
    """One segment, every rendition, one decode (``encode_run_command`` of one span)."""
    return encode_run_command(chunk, chunk_start_s, [span], plan, outputs, settings)


def encode_run_command(
    chunk: Path,
    chunk_start_s: float,
    spans: Sequence[hls.SegmentSpan],
    plan: MediaPlan,
    outputs: Sequence[tuple[Rendition, Path]],
    settings: Settings,
) -> list[str]:
    """Consecutive segments, every rendition, one decode and one ffmpeg run: fragmented MP4
    with a fragment per keyframe, its clock starting at the first span.

    Keyframes come every keyframe interval from the first frame and segments are whole
    intervals, so every segment starts on a keyframe and ``hls.split_run`` cuts the output
    at the segments. One run per chunk, not per segment: process start, decoder and
    encoder set-up are paid once. The encoder makes no B-frames
    (``filters.video_output_args``), so each fragment's first frame is shown at its decode
    time and the segments line up with each other and with the sound.
    """
    span = hls.SegmentSpan(
        spans[0].index, spans[0].start, spans[-1].start + spans[-1].duration - spans[0].start
    )
    fps = _output_rate(plan)
    picture_only = dataclasses.replace(plan, audio=None, video_stream_index=0)
    renditions = [rendition for rendition, _ in outputs]
    graph, video_labels, _ = filters.filtergraph(picture_only, renditions)
    offset = span.start_s - chunk_start_s
    if offset < 0:
        # The picture starts after the sound (its first keyframe is late): hold
        # the first frame until then, so picture and sound keep the same clock.
        graph = graph.replace(
            "[0:0]", f"[0:0]tpad=start_mode=clone:start_duration={-offset:.6f},", 1
        )
        offset = 0.0
    argv = [
        *_ffmpeg(settings),
        "-ss", f"{offset:.6f}", "-t", f"{span.duration_s:.6f}",
        *formats.input_args(chunk, CHUNK_DEMUXER),
        "-filter_complex", graph,
    ]  # fmt: skip
    for label, (rendition, path) in zip(video_labels, outputs, strict=True):
        argv += ["-map", label]
        argv += filters.video_output_args(
            rendition,
            fps,
            settings.x264_preset,
            bt709_tags=plan.colour is None or plan.colour.output_tagged,
        )
        argv += [
            "-video_track_timescale", str(hls.VIDEO_TIMESCALE),
            "-movflags", _FRAGMENTED,
            "-map_metadata", "-1", "-map_chapters", "-1",
            "-f", "mp4", str(path),
        ]  # fmt: skip
    return argv


def encode_segment(
    chunk: Path,
    chunk_start_s: float,
    span: hls.SegmentSpan,
    plan: MediaPlan,
    outputs: Sequence[tuple[Rendition, Path]],
    settings: Settings,
) -> None:
    encode_run(chunk, chunk_start_s, [span], plan, outputs, settings)


def encode_run(
    chunk: Path,
    chunk_start_s: float,
    spans: Sequence[hls.SegmentSpan],
    plan: MediaPlan,
    outputs: Sequence[tuple[Rendition, Path]],
    settings: Settings,
) -> None:
    media_s = float(spans[-1].start + spans[-1].duration - spans[0].start)
    run_ffmpeg(
        encode_run_command(chunk, chunk_start_s, spans, plan, outputs, settings),
        settings,
        timeout_s=timeout_for(media_s, settings),
    )


def audio_copyable(audio: AudioPlan) -> bool:
    """AAC already as browsers want it: copied, so nothing is lost and nothing clicks."""
    return (
        audio.codec == "aac"
        and audio.source_channels == audio.output_channels
        and audio.source_rate == audio.output_rate
        and audio.source_rate in AUDIO_SAMPLE_RATES
    )


AUDIO_PLAYLIST = "index.m3u8"
AUDIO_INIT = "init.mp4"
AUDIO_SEGMENT_PATTERN = "seg_%05d.m4s"
AUDIO_BITRATE = "128k"


# A track that starts later than the lesson (an edit list, a stream offset) is
# encoded, so the silence before it is really there and picture and sound line up.
MAX_COPY_START_S = 0.02


def package_audio_command(
    source: formats.MediaInput,
    out_dir: Path,
    audio: AudioPlan,
    settings: Settings,
    start_s: float = 0.0,
    *,
    demuxer: str | None = None,
) -> list[str]:
    """The whole sound track as HLS fMP4, written as it goes (an EVENT playlist).

    Read straight from the upload (``demuxer``: ffprobe's, and ``audio.stream_index``), so
    the first segments exist as soon as the start of the file has been read, whatever the
    lesson's length. ffmpeg puts the file's first timestamp at zero: the sound is on the
    lesson's clock, and the chain's ``first_pts=0`` fills a late start with silence.
    ``start_s`` is where the sound starts on that clock.
    """
    if audio_copyable(audio) and abs(start_s) <= MAX_COPY_START_S:
        codec = ["-c:a", "copy"]
    else:
        codec = ["-af", filters.audio_chain(audio), "-c:a", "aac", "-b:a", AUDIO_BITRATE]
    stream = f"0:{audio.stream_index}" if demuxer else "0:a:0"
    return [
        *_ffmpeg(settings),
        *formats.input_args(source, demuxer or CHUNK_DEMUXER),
        "-map", stream, "-vn", "-sn", "-dn", *codec,
        "-map_metadata", "-1", "-map_chapters", "-1",
        "-f", "hls",
        "-hls_time", str(hls.TARGET_SEGMENT_S),
        "-hls_segment_type", "fmp4",
        "-hls_playlist_type", "event",
        "-hls_flags", "independent_segments+temp_file",
        "-hls_fmp4_init_filename", AUDIO_INIT,
        "-hls_segment_filename", str(out_dir / AUDIO_SEGMENT_PATTERN),
        str(out_dir / AUDIO_PLAYLIST),
    ]  # fmt: skip


def package_audio(
    source: formats.MediaInput,
    out_dir: Path,
    audio: AudioPlan,
    duration_s: float,
    settings: Settings,
    on_progress: ProgressCallback | None = None,
    start_s: float = 0.0,
    *,
    demuxer: str | None = None,
) -> None:
    run_ffmpeg(
        package_audio_command(source, out_dir, audio, settings, start_s, demuxer=demuxer),
        settings,
        timeout_s=timeout_for(duration_s, settings),
        duration_s=duration_s,
        on_progress=on_progress,
    )


def join_fragments(init: Path, segments: Sequence[Path], target: Path) -> None:
    """An init segment and its media segments are, end to end, one fragmented MP4 file."""
    with target.open("wb") as out:
        for part in (init, *segments):
            with part.open("rb") as handle:
                while block := handle.read(1024 * 1024):
                    out.write(block)


def package_rendition_command(rendition: Path, out_dir: Path, settings: Settings) -> list[str]:
    """A finished MP4 rendition (a clip's) as HLS fMP4, streams copied: a complete playlist."""
    return [
        *_ffmpeg(settings),
        *formats.input_args(rendition, "mov"),
        "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy",
        "-f", "hls",
        "-hls_time", str(hls.TARGET_SEGMENT_S),
        "-hls_segment_type", "fmp4",
        "-hls_playlist_type", "vod",
        "-hls_flags", "independent_segments",
        "-hls_fmp4_init_filename", AUDIO_INIT,
        "-hls_segment_filename", str(out_dir / AUDIO_SEGMENT_PATTERN),
        str(out_dir / AUDIO_PLAYLIST),
    ]  # fmt: skip


def package_rendition(
    rendition: Path, out_dir: Path, duration_s: float, settings: Settings
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        package_rendition_command(rendition, out_dir, settings),
        settings,
        timeout_s=timeout_for(duration_s, settings) / 4 + 60,
    )
