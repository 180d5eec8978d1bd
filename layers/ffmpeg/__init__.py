"""The ffmpeg layer: static ffmpeg and ffprobe under /opt/bin (built by build.py)."""
