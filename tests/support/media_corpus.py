"""Small media files made with ffmpeg's lavfi sources: every case ingest must handle.

Files are generated once per session into a cache dir; each entry says what
the pipeline must make of it.
"""

from __future__ import annotations

import os
import struct
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chalicelib.config import Settings
from chalicelib.media.runner import tool_environment
from tests.support.mp4 import patch_boxes

VIDEO = "testsrc2=size={w}x{h}:rate={fps}:duration={d}"
TONE = "sine=frequency=440:sample_rate=48000:duration={d}"


@dataclass(frozen=True)
class Sample:
    name: str
    filename: str
    content_type: str
    make: Callable[[Path], None]
    # "ready" or "failed"; for failed, a phrase the failure reason contains.
    outcome: str
    reason: str = ""
    # For ready: display size of the source and the rendition labels expected.
    display: tuple[int, int] | None = None
    labels: tuple[str, ...] = ()
    remux: bool = False
    has_audio: bool = True
    tags: tuple[str, ...] = field(default=())
    # What a viewer must get, measured on the output (see tests/support/measure.py):
    # the channel count, and for "hdr" samples the SDR picture they were made from.
    channels: int | None = None
    sdr_original: Callable[[Path], None] | None = None


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args], check=True
    )


def _av(w: int, h: int, d: float, fps: int = 30) -> list[str]:
    return [
        "-f",
        "lavfi",
        "-i",
        VIDEO.format(w=w, h=h, fps=fps, d=d),
        "-f",
        "lavfi",
        "-i",
        TONE.format(d=d),
    ]


H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
AAC = ["-c:a", "aac", "-b:a", "96k"]


def web_720p(path: Path) -> None:
    _ffmpeg(
        *_av(1280, 720, 4), *H264, "-profile:v", "high", *AAC, "-movflags", "+faststart", str(path)
    )


def phone_1080p_moov_at_end(path: Path) -> None:
    _ffmpeg(*_av(1920, 1080, 4), *H264, "-profile:v", "high", *AAC, str(path))


def portrait_rotated(path: Path) -> None:
    # Phones store portrait video as landscape pixels plus a display rotation.
    plain = path.with_suffix(".plain.mp4")
    _ffmpeg(*_av(1280, 720, 3), *H264, *AAC, str(plain))
    _ffmpeg("-i", str(plain), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(path))
    plain.unlink()


def hevc_mov(path: Path) -> None:
    _ffmpeg(
        *_av(1280, 720, 3),
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-x265-params",
        "log-level=error",
        "-tag:v",
        "hvc1",
        *AAC,
        str(path),
    )


def vp9_webm(path: Path) -> None:
    _ffmpeg(
        *_av(640, 480, 3),
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "500k",
        "-c:a",
        "libopus",
        str(path),
    )


def mjpeg_avi(path: Path) -> None:
    _ffmpeg(*_av(640, 480, 3), "-c:v", "mjpeg", "-q:v", "5", "-c:a", "pcm_s16le", str(path))


def odd_dimensions(path: Path) -> None:
    # testsrc2 only draws even sizes; scale to odd ones (4:4:4 allows them).
    _ffmpeg(
        *_av(640, 360, 3),
        "-vf",
        "scale=641:361,format=yuv444p",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        *AAC,
        str(path),
    )


def no_audio(path: Path) -> None:
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        VIDEO.format(w=640, h=360, fps=30, d=3),
        *H264,
        "-movflags",
        "+faststart",
        str(path),
    )


def variable_frame_rate(path: Path) -> None:
    # 30 fps for the first second, then every third frame: 10 fps.
    _ffmpeg(
        *_av(640, 360, 4),
        "-vf",
        "select='lt(n\\,30)+not(mod(n\\,3))'",
        "-fps_mode",
        "vfr",
        *H264,
        *AAC,
        str(path),
    )


def three_gp(path: Path) -> None:
    _ffmpeg(
        *_av(352, 288, 3, fps=15),
        *H264,
        "-profile:v",
        "baseline",
        *AAC,
        "-ar",
        "48000",
        "-f",
        "3gp",
        str(path),
    )


def matroska(path: Path) -> None:
    _ffmpeg(*_av(960, 540, 3), *H264, *AAC, str(path))


def empty(path: Path) -> None:
    path.write_bytes(b"")


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(200_000))


def audio_only(path: Path) -> None:
    _ffmpeg("-f", "lavfi", "-i", TONE.format(d=3), *AAC, "-f", "mp4", str(path))


def still_image(path: Path) -> None:
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        VIDEO.format(w=640, h=360, fps=1, d=1),
        "-frames:v",
        "1",
        "-c:v",
        "png",
        "-f",
        "image2",
        str(path),
    )


def jpeg_photo(path: Path) -> None:
    _ffmpeg(
        "-f", "lavfi", "-i", VIDEO.format(w=640, h=360, fps=1, d=1), "-frames:v", "1",
        "-f", "mjpeg", str(path),
    )  # fmt: skip


def mp4_header_then_noise(path: Path) -> None:
    """A container that lies: an MP4 'ftyp' header, then nothing an MP4 holds."""
    ftyp = struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"isom", 512, b"isom", b"mp42")
    path.write_bytes(ftyp + os.urandom(150_000))


def webm_named_mp4(path: Path) -> None:
    """The opposite lie: a good WebM, named and declared as an MP4 (we read the bytes)."""
    vp9_webm(path.with_suffix(".webm"))
    path.with_suffix(".webm").rename(path)


def huge_dimensions_claim(path: Path) -> None:
    """A tiny raw video whose headers claim 16000x16000 pixels."""
    _ffmpeg(
        "-f", "lavfi", "-i", "color=c=gray:size=16x16:rate=5:duration=1",
        "-c:v", "rawvideo", "-pix_fmt", "gray", "-f", "mov", str(path),
    )  # fmt: skip
    data = bytearray(path.read_bytes())

    def sample_entry(box: bytearray, at: int) -> None:
        # stsd: version+flags, entry count, then the entry: size, format, 6 reserved,
        # data reference index, 16 bytes of pre-defined/reserved, then width, height.
        struct.pack_into(">HH", box, at + 8 + 8 + 8 + 16, 16000, 16000)

    def track_header(box: bytearray, at: int) -> None:
        times = 8 + 8 + 4 + 4 + 8 if box[at] == 1 else 4 + 4 + 4 + 4 + 4
        # then 8 reserved, layer, alternate group, volume, reserved, the matrix, width, height
        struct.pack_into(">II", box, at + 4 + times + 8 + 8 + 36, 16000 << 16, 16000 << 16)

    assert patch_boxes(data, b"stsd", sample_entry) and patch_boxes(data, b"tkhd", track_header)
    path.write_bytes(bytes(data))


def billion_frame_claim(path: Path) -> None:
    """Two seconds of H.264 whose MP4 tables claim a billion frames and ~50 days."""
    _ffmpeg(
        "-f", "lavfi", "-i", VIDEO.format(w=320, h=240, fps=30, d=2), *H264,
        "-movflags", "+faststart", str(path),
    )  # fmt: skip
    data = bytearray(path.read_bytes())

    def time_to_sample(box: bytearray, at: int) -> None:
        struct.pack_into(">I", box, at + 8, 1_000_000_000)  # first entry's sample count

    def durations(box: bytearray, at: int) -> None:
        if box[at] == 0:  # version 0: flags, created, modified, timescale, duration
            struct.pack_into(">I", box, at + 4 + 4 + 4 + 4, 0xFFFFFFF0)

    assert patch_boxes(data, b"stts", time_to_sample)
    patch_boxes(data, b"mdhd", durations)
    patch_boxes(data, b"mvhd", durations)
    path.write_bytes(bytes(data))


def truncated_moov_missing(path: Path) -> None:
    full = path.with_suffix(".full.mp4")
    phone_1080p_moov_at_end(full)
    data = full.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.6)])
    full.unlink()


def truncated_after_header(path: Path) -> None:
    full = path.with_suffix(".full.mp4")
    _ffmpeg(*_av(640, 360, 8), *H264, *AAC, "-movflags", "+faststart", str(full))
    data = full.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.4)])
    full.unlink()


def too_long(path: Path) -> None:
    # Longer than the test stack's limit (CLASSREEL_MAX_DURATION_S=60), cheaply.
    _ffmpeg("-f", "lavfi", "-i", "color=c=gray:size=160x120:rate=2:duration=75", *H264, str(path))


def tiny_dimensions(path: Path) -> None:
    _ffmpeg("-f", "lavfi", "-i", VIDEO.format(w=32, h=32, fps=10, d=2), *H264, str(path))


def absurd_aspect(path: Path) -> None:
    _ffmpeg("-f", "lavfi", "-i", VIDEO.format(w=1600, h=100, fps=10, d=2), *H264, str(path))


# --- phone and camera traits (issue: HDR, camcorders, interlacing, audio, sync) ---------

HDR_PICTURE = VIDEO.format(w=1280, h=720, fps=30, d=2)
# SDR → HDR as BT.2408 does it: SDR white becomes HDR reference white (203 nits),
# so a correct tone-map back to SDR gives the original picture again.
_TO_HDR = (
    "zscale=t=linear:npl=203,format=gbrpf32le,zscale=p=bt2020,"
    "zscale=t={transfer}:m=bt2020nc:r=limited:npl=203,format=yuv420p10le"
)
X265 = ["-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1"]


def sdr_original(path: Path) -> None:
    """The picture the HDR samples are made from, as an ordinary SDR BT.709 file."""
    _ffmpeg(
        "-f", "lavfi", "-i", HDR_PICTURE, *H264, "-color_primaries", "bt709",
        "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv", str(path),
    )  # fmt: skip


def _hdr(path: Path, transfer: str) -> None:
    # Debian's zscale cannot take this path from untagged frames; the static
    # build (the pipeline's own) converts the tagged SDR original.
    original = path.with_suffix(".sdr.mp4")
    sdr_original(original)
    subprocess.run(
        [
            Settings().ffmpeg_binary, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-i", str(original), "-f", "lavfi", "-i", TONE.format(d=2),
            "-vf", _TO_HDR.format(transfer=transfer), *X265,
            "-x265-params",
            f"log-level=error:colorprim=bt2020:transfer={transfer}:colormatrix=bt2020nc",
            "-color_primaries", "bt2020", "-color_trc", transfer, "-colorspace", "bt2020nc",
            *AAC, "-f", "mov", str(path),
        ],
        check=True,
        env=tool_environment(),
    )  # fmt: skip
    original.unlink()


def iphone_hlg(path: Path) -> None:
    """What an iPhone records by default: 10-bit HEVC, BT.2020, HLG, in a MOV."""
    _hdr(path, "arib-std-b67")


def android_hdr10(path: Path) -> None:
    """An Android phone's HDR10: 10-bit HEVC, BT.2020, PQ."""
    _hdr(path, "smpte2084")


def _woven(w: int, h: int, d: float) -> str:
    """Interlaced content: a 50p picture whose field pairs are woven into 25 frames."""
    return f"{VIDEO.format(w=w, h=h, fps=50, d=d)},tinterlace=mode=interleave_top"


def camcorder_avchd(path: Path) -> None:
    """An AVCHD camcorder file: MPEG-TS, 1440x1080 anamorphic (16:9), interlaced H.264,
    5.1 AC-3, and the 1.4 s start offset transport streams have."""
    _ffmpeg(
        "-f", "lavfi", "-i", _woven(1440, 1080, 3) + ",setsar=4/3,setfield=tff",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-x264-params", "interlaced=1:tff=1", "-aspect", "16:9",
        "-c:a", "ac3", "-ac", "6", "-f", "mpegts", str(path),
    )  # fmt: skip


def dvd_mpeg_ps(path: Path) -> None:
    """A school camera's MPEG-PS (.MPG): PAL SD, interlaced MPEG-2 (bottom field first), MP2."""
    _ffmpeg(
        "-f", "lavfi", "-i", _woven(720, 576, 3).replace("interleave_top", "interleave_bottom")
        + ",setfield=bff",
        "-f", "lavfi", "-i", TONE.format(d=3),
        "-c:v", "mpeg2video", "-b:v", "4M", "-flags", "+ilme+ildct", "-top", "0",
        "-aspect", "16:9", "-c:a", "mp2", "-b:a", "192k", "-f", "vob", str(path),
    )  # fmt: skip


def interlaced_flagged_progressive(path: Path) -> None:
    """Woven fields in a stream that says it is progressive, otherwise web-ready."""
    _ffmpeg(
        "-f", "lavfi", "-i", _woven(1280, 720, 3) + ",setfield=prog",
        "-f", "lavfi", "-i", TONE.format(d=3),
        *H264, "-profile:v", "high", *AAC, "-movflags", "+faststart", str(path),
    )  # fmt: skip


def surround_51(path: Path) -> None:
    """Web-ready H.264 but 5.1 sound: dialogue (a tone) in the centre, noise around it."""
    _ffmpeg(
        "-f", "lavfi", "-i", VIDEO.format(w=640, h=360, fps=30, d=3),
        "-f", "lavfi", "-i",
        "aevalsrc=0.05*(random(0)-0.5)|0.05*(random(1)-0.5)|0.5*sin(2*PI*300*t)|0"
        "|0.05*(random(2)-0.5)|0.05*(random(3)-0.5):s=48000:d=3:c=5.1(side)",
        *H264, "-c:a", "aac", "-b:a", "256k", "-movflags", "+faststart", str(path),
    )  # fmt: skip


def mono_22k(path: Path) -> None:
    """A screen recorder's mono 22.05 kHz sound."""
    _ffmpeg(
        "-f", "lavfi", "-i", VIDEO.format(w=640, h=360, fps=30, d=3),
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=22050:duration=3",
        *H264, "-c:a", "aac", "-ac", "1", "-movflags", "+faststart", str(path),
    )  # fmt: skip


# Flash and beep: a white picture and a 1 kHz tone at the same moments. In each
# source the two tracks are stored with different offsets that put them back together.
FLASHES_S = (1.0, 2.5)
_FLASH = "+".join(f"between(t,{t},{t + 0.06:.2f})" for t in FLASHES_S)


def _flash_video(d: float, shift: float) -> str:
    at = "+".join(f"between(t,{t - shift:.3f},{t - shift + 0.06:.3f})" for t in FLASHES_S)
    return f"color=c=black:size=640x360:rate=30:duration={d},drawbox=c=white:t=fill:enable='{at}'"


def _beep_audio(d: float, shift: float) -> str:
    at = "+".join(f"between(t,{t - shift:.3f},{t - shift + 0.08:.3f})" for t in FLASHES_S)
    return f"aevalsrc='if({at},0.5*sin(2*PI*1000*t),0)':s=48000:d={d}"


def sync_edit_list(path: Path) -> None:
    """A MOV whose sound starts 0.5 s after its picture (an edit list says so): the beeps
    are stored 0.5 s early in the sound's own timeline."""
    _ffmpeg(
        "-f", "lavfi", "-i", _flash_video(4, 0),
        "-itsoffset", "0.5", "-f", "lavfi", "-i", _beep_audio(3.5, 0.5),
        *H264, *AAC, "-f", "mov", str(path),
    )  # fmt: skip


def sync_ts_offsets(path: Path) -> None:
    """An MPEG-TS whose picture starts 0.3 s after its sound, and whose sound runs on
    0.8 s past the picture's end."""
    _ffmpeg(
        "-itsoffset", "0.3", "-f", "lavfi", "-i", _flash_video(3.7, 0.3),
        "-f", "lavfi", "-i", _beep_audio(4.8, 0),
        "-c:v", "mpeg2video", "-b:v", "2M", "-c:a", "mp2", "-f", "mpegts", str(path),
    )  # fmt: skip


def sync_picture_late_by_a_fraction(path: Path) -> None:
    """Exactly one segment (6 s at 30 fps) of picture, starting 21 ms after the sound, as
    AAC priming leaves it in files joined with ``-c copy``: the lesson then ends a fraction
    of a frame past a segment boundary."""
    _ffmpeg(
        "-itsoffset", "0.021", "-f", "lavfi", "-i", _flash_video(6.0, 0),
        "-f", "lavfi", "-i", _beep_audio(6.021, 0),
        *H264, *AAC, "-f", "mov", str(path),
    )  # fmt: skip


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "web_720p",
        "lesson.mp4",
        "video/mp4",
        web_720p,
        "ready",
        display=(1280, 720),
        labels=("720p", "360p"),
        remux=True,
    ),
    Sample(
        "phone_1080p",
        "IMG_0001.mp4",
        "video/mp4",
        phone_1080p_moov_at_end,
        "ready",
        display=(1920, 1080),
        labels=("1080p", "720p", "360p"),
        remux=True,
    ),
    Sample(
        "portrait",
        "portrait.mp4",
        "video/mp4",
        portrait_rotated,
        "ready",
        display=(720, 1280),
        labels=("720p", "360p"),
    ),
    Sample(
        "hevc_mov",
        "IMG_0002.MOV",
        "video/quicktime",
        hevc_mov,
        "ready",
        display=(1280, 720),
        labels=("720p", "360p"),
    ),
    Sample(
        "vp9_webm",
        "screen.webm",
        "video/webm",
        vp9_webm,
        "ready",
        display=(640, 480),
        labels=("480p", "360p"),
    ),
    Sample(
        "webm_named_mp4",
        "screen.mp4",
        "video/mp4",
        webm_named_mp4,
        "ready",
        display=(640, 480),
        labels=("480p", "360p"),
    ),
    Sample(
        "mjpeg_avi",
        "camera.avi",
        "video/x-msvideo",
        mjpeg_avi,
        "ready",
        display=(640, 480),
        labels=("480p", "360p"),
    ),
    Sample(
        "odd_dims",
        "odd.mp4",
        "video/mp4",
        odd_dimensions,
        "ready",
        display=(641, 361),
        labels=("360p",),
    ),
    Sample(
        "no_audio",
        "silent.mp4",
        "video/mp4",
        no_audio,
        "ready",
        display=(640, 360),
        labels=("360p",),
        remux=True,
        has_audio=False,
    ),
    Sample(
        "vfr",
        "vfr.mp4",
        "video/mp4",
        variable_frame_rate,
        "ready",
        display=(640, 360),
        labels=("360p",),
    ),
    Sample(
        "three_gp",
        "clip.3gp",
        "video/3gpp",
        three_gp,
        "ready",
        display=(352, 288),
        labels=("288p",),
        remux=True,
    ),
    Sample(
        "matroska",
        "lesson.mkv",
        "video/x-matroska",
        matroska,
        "ready",
        display=(960, 540),
        labels=("540p", "360p"),
    ),
    Sample(
        "iphone_hlg",
        "IMG_0100.MOV",
        "video/quicktime",
        iphone_hlg,
        "ready",
        display=(1280, 720),
        labels=("720p", "360p"),
        tags=("hdr",),
        channels=1,
        sdr_original=sdr_original,
    ),
    Sample(
        "android_hdr10",
        "VID_20240301.mp4",
        "video/mp4",
        android_hdr10,
        "ready",
        display=(1280, 720),
        labels=("720p", "360p"),
        tags=("hdr",),
        channels=1,
        sdr_original=sdr_original,
    ),
    Sample(
        "camcorder_avchd",
        "00001.MTS",
        "",  # what browsers declare for camcorder files
        camcorder_avchd,
        "ready",
        display=(1920, 1080),
        labels=("720p", "360p"),
        tags=("interlaced",),
        channels=2,
    ),
    Sample(
        "dvd_mpeg_ps",
        "MOV001.MPG",
        "application/octet-stream",
        dvd_mpeg_ps,
        "ready",
        display=(1024, 576),
        labels=("576p", "360p"),
        tags=("interlaced",),
        channels=1,
    ),
    Sample(
        "interlace_flag_lies",
        "deck.mp4",
        "video/mp4",
        interlaced_flagged_progressive,
        "ready",
        display=(1280, 720),
        labels=("720p", "360p"),
        tags=("interlaced",),
        channels=1,
    ),
    Sample(
        "surround_51",
        "surround.mp4",
        "video/mp4",
        surround_51,
        "ready",
        display=(640, 360),
        labels=("360p",),
        channels=2,
    ),
    Sample(
        "mono_22k",
        "screen.mp4",
        "video/mp4",
        mono_22k,
        "ready",
        display=(640, 360),
        labels=("360p",),
        channels=1,
    ),
    Sample(
        "sync_edit_list",
        "sync.mov",
        "video/quicktime",
        sync_edit_list,
        "ready",
        display=(640, 360),
        labels=("360p",),
        tags=("sync",),
        channels=1,
    ),
    Sample(
        "sync_ts_offsets",
        "sync.ts",
        "video/mp2t",
        sync_ts_offsets,
        "ready",
        display=(640, 360),
        labels=("360p",),
        tags=("sync",),
        channels=1,
    ),
    Sample(
        "sync_picture_late_by_a_fraction",
        "joined.mov",
        "video/quicktime",
        sync_picture_late_by_a_fraction,
        "ready",
        display=(640, 360),
        labels=("360p",),
        # 21 ms is within the remux fast path's start skew: the copy keeps the edit list.
        remux=True,
        tags=("sync",),
        channels=1,
    ),
    Sample("empty", "empty.mp4", "video/mp4", empty, "failed", reason="empty"),
    Sample(
        "random",
        "random.mp4",
        "video/mp4",
        random_bytes,
        "failed",
        reason="not a video we can read",
    ),
    Sample(
        "photo_as_mp4",
        "photo.mp4",
        "video/mp4",
        jpeg_photo,
        "failed",
        reason="still image",
    ),
    Sample("audio_only", "voice.mp4", "video/mp4", audio_only, "failed", reason="no video track"),
    Sample("still", "photo.mp4", "video/mp4", still_image, "failed", reason="still image"),
    Sample(
        "lying_header",
        "lesson.mp4",
        "video/mp4",
        mp4_header_then_noise,
        "failed",
        # Indistinguishable from an upload that broke off right after its header.
        reason="cut off",
    ),
    Sample(
        "huge_dimensions",
        "huge.mov",
        "video/quicktime",
        huge_dimensions_claim,
        "failed",
        reason="picture size (16000x16000)",
    ),
    Sample(
        # ffmpeg 7 reads the real length from the samples (2 s): the claim must not wedge
        # the worker or its memory, and what is really there becomes a video.
        "billion_frames",
        "billion.mp4",
        "video/mp4",
        billion_frame_claim,
        "ready",
        display=(320, 240),
        labels=("240p",),
        remux=True,
        has_audio=False,
    ),
    Sample("cut_off", "cut.mp4", "video/mp4", truncated_moov_missing, "failed", reason="cut off"),
    Sample(
        "cut_off_after_header",
        "cut2.mp4",
        "video/mp4",
        truncated_after_header,
        "failed",
        reason="cut off",
    ),
    Sample("too_long", "long.mp4", "video/mp4", too_long, "failed", reason="the limit is"),
    Sample("tiny", "tiny.mp4", "video/mp4", tiny_dimensions, "failed", reason="picture size"),
    Sample(
        "absurd_aspect", "strip.mp4", "video/mp4", absurd_aspect, "failed", reason="picture size"
    ),
)

BY_NAME = {sample.name: sample for sample in SAMPLES}


def partial_path(path: Path) -> Path:
    """Where one process writes a sample before renaming it into place: parallel test
    workers share the cache, and a rename never shows a half-written file."""
    return path.with_name(f"tmp-{os.getpid()}-{path.name}")


def build_original(sample: Sample, cache_dir: Path) -> Path:
    """The SDR picture an "hdr" sample was made from."""
    assert sample.sdr_original is not None
    path = cache_dir / f"{sample.name}-sdr-original.mp4"
    if not path.exists():
        partial = partial_path(path)
        sample.sdr_original(partial)
        partial.rename(path)
    return path


def build(sample: Sample, cache_dir: Path) -> Path:
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{sample.name}{Path(sample.filename).suffix.lower()}"
    if not path.exists():
        partial = partial_path(path)
        sample.make(partial)
        partial.rename(path)
    return path
