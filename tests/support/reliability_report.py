"""Counts what the reliability tests did, for `make soak`'s summary table.

Tests add rows through the session fixture ``reliability_report``; when
``SOAK_REPORT`` names a file, the session writes the counts
there as JSON, and ``python -m tests.support.reliability_report FILE`` prints
them as a table.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("trials", "faults", "lost", "duplicates", "errors_5xx")
HEADINGS = ("trials", "faults injected", "videos lost", "duplicates", "5xx")


@dataclass
class Row:
    trials: int = 0
    faults: int = 0
    lost: int = 0
    duplicates: int = 0
    errors_5xx: int = 0


class Report:
    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self._lock = threading.Lock()

    def add(
        self,
        guarantee: str,
        *,
        trials: int = 0,
        faults: int = 0,
        lost: int = 0,
        duplicates: int = 0,
        errors_5xx: int = 0,
    ) -> None:
        with self._lock:
            row = self.rows.setdefault(guarantee, Row())
            row.trials += trials
            row.faults += faults
            row.lost += lost
            row.duplicates += duplicates
            row.errors_5xx += errors_5xx

    def save(self, path: Path) -> None:
        """Add these counts to those already in ``path`` (one soak runs several sessions)."""
        merged: dict[str, dict[str, int]] = json.loads(path.read_text()) if path.exists() else {}
        for guarantee, row in self.rows.items():
            before = merged.get(guarantee, {})
            merged[guarantee] = {c: before.get(c, 0) + getattr(row, c) for c in COLUMNS}
        path.write_text(json.dumps(merged, indent=2))


def table(rows: dict[str, dict[str, int]]) -> str:
    lines = [
        "| guarantee | " + " | ".join(HEADINGS) + " |",
        "|---|" + "---:|" * len(HEADINGS),
    ]
    totals = dict.fromkeys(COLUMNS, 0)
    for guarantee, row in rows.items():
        lines.append(f"| {guarantee} | " + " | ".join(str(row[c]) for c in COLUMNS) + " |")
        for column in COLUMNS:
            totals[column] += row[column]
    lines.append("| **total** | " + " | ".join(f"**{totals[c]}**" for c in COLUMNS) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    rows: dict[str, dict[str, int]] = json.loads(Path(argv[0]).read_text())
    print(table(rows))
    bad = sum(row[c] for row in rows.values() for c in ("lost", "duplicates", "errors_5xx"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
