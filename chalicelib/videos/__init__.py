"""Videos: records, upload sessions, playback, listing."""
