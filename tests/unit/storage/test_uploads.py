from __future__ import annotations

from chalicelib.config import GIB, MIB
from chalicelib.storage.keys import parse_raw_key, raw_source_key
from chalicelib.storage.uploads import (
    MAX_PARTS,
    expected_part_size,
    part_count,
    part_size_for,
)


def test_part_size_fits_any_allowed_file_in_10000_parts() -> None:
    assert part_size_for(100 * MIB, 16 * MIB) == 16 * MIB
    huge = 500 * GIB
    size = part_size_for(huge, 16 * MIB)
    assert size % MIB == 0
    assert part_count(huge, size) <= MAX_PARTS
    assert part_size_for(10 * MIB, 1 * MIB) == 5 * MIB  # S3's minimum


def test_expected_part_sizes_add_up() -> None:
    total, size = 12 * MIB + 7, 5 * MIB
    sizes = [expected_part_size(n, total, size) for n in range(1, part_count(total, size) + 1)]
    assert sizes == [5 * MIB, 5 * MIB, 2 * MIB + 7]
    assert sum(sizes) == total


def test_raw_keys_round_trip_and_reject_anything_else() -> None:
    key = raw_source_key("district-a", "abc123")
    assert key == "raw/district-a/abc123/source"
    parsed = parse_raw_key(key)
    assert parsed is not None and (parsed.district, parsed.video_id) == ("district-a", "abc123")
    for bad in ("raw/d/v/other", "raw/d/v", "raw/../v/source", "x/d/v/source", "raw/d e/v/source"):
        assert parse_raw_key(bad) is None
