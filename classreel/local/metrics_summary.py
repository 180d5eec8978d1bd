"""What the local stack measured: the EMF metric lines in its logs, summarised.

Powertools prints each metric as one JSON document (CloudWatch's embedded
metric format) to the function's output; in AWS CloudWatch extracts them, here
they land in ``.classreel/logs/``. ``classreel local status`` shows this summary.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Dimensions every metric carries; they say nothing about which series it is.
_COMMON_DIMENSIONS = {"service"}


@dataclass
class Series:
    unit: str
    values: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.values)
        return {
            "unit": self.unit,
            "count": len(ordered),
            "p50": percentile(ordered, 50),
            "p90": percentile(ordered, 90),
            "p99": percentile(ordered, 99),
            "max": round(ordered[-1], 3),
        }


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (what CloudWatch's pNN approximates)."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return round(ordered[rank - 1], 3)


def emf_documents(lines: Iterable[str]) -> Iterable[dict[str, Any]]:
    for line in lines:
        if '"_aws"' not in line:
            continue
        try:
            document = json.loads(line[line.index("{") :])
        except (ValueError, json.JSONDecodeError):
            continue
        if isinstance(document, dict) and isinstance(document.get("_aws"), dict):
            yield document


def series_name(name: str, document: dict[str, Any], dimensions: list[str]) -> str:
    labels = [f"{d}={document.get(d)}" for d in sorted(dimensions) if d not in _COMMON_DIMENSIONS]
    return f"{name}{{{','.join(labels)}}}" if labels else name


def summarise(documents: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    series: dict[str, Series] = defaultdict(lambda: Series(unit=""))
    for document in documents:
        for directive in document["_aws"].get("CloudWatchMetrics", []):
            dimensions = [d for group in directive.get("Dimensions", []) for d in group]
            for metric in directive.get("Metrics", []):
                name = metric.get("Name")
                raw = document.get(name)
                values = raw if isinstance(raw, list) else [raw]
                numbers = [float(v) for v in values if isinstance(v, int | float)]
                if not name or not numbers:
                    continue
                entry = series[series_name(name, document, dimensions)]
                entry.unit = metric.get("Unit", entry.unit)
                entry.values.extend(numbers)
    return {name: series[name].summary() for name in sorted(series)}


def summarise_logs(logs_dir: Path) -> dict[str, dict[str, Any]]:
    """Every metric in the stack's logs, by name and dimensions."""

    def lines() -> Iterable[str]:
        for path in sorted(logs_dir.glob("*.log")):
            with path.open(errors="replace") as log:
                yield from log

    return summarise(emf_documents(lines()))
