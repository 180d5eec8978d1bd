"""One ingest pipeline run in a process of its own: `python -m bench.worker_run SRC WORKDIR OUT`.

It imports what the ingest Lambda imports, then runs probe → validate →
``pipeline.produce`` exactly as the worker does (S3 and DynamoDB left out: the
local-stack figures cover those), and writes a JSON of stage times plus the
kernel's own accounting of its children (``getrusage(RUSAGE_CHILDREN)``).
The parent samples this process tree's RSS from outside (``bench.memory``).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import chalicelib.ingest.worker  # noqa: F401  (the Lambda's import footprint counts)
from chalicelib.config import get_settings
from chalicelib.ingest.pipeline import ProducedRendition, produce
from chalicelib.media.probe import probe, validate


def main(source: Path, workdir: Path, out: Path) -> None:
    settings = get_settings()
    workdir.mkdir(parents=True, exist_ok=True)
    marks: dict[str, float] = {}
    started = time.perf_counter()
    info = probe(source, settings)
    validate(info, settings)

    def on_playable(_: ProducedRendition) -> None:
        marks["playable_s"] = time.perf_counter() - started

    outputs = produce(
        source,
        info,
        workdir,
        settings,
        on_playable=on_playable,
        on_progress=lambda _: None,
        checkpoint=lambda: None,
    )
    ready_s = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "duration_s": info.duration_s,
        "ready_s": ready_s,
        "playable_s": marks.get("playable_s", ready_s),
        "children_cpu_s": children.ru_utime + children.ru_stime,
        "largest_child_maxrss_mb": children.ru_maxrss / 1024,
        "python_maxrss_mb": own.ru_maxrss / 1024,
        "renditions": {
            r.rendition.label: {"path": str(r.path), "remux": r.rendition.remux}
            for r in outputs.renditions
        },
        "poster": str(outputs.poster),
        "sprite": str(outputs.sprite),
    }
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
