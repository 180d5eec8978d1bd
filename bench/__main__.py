"""`python -m bench [--smoke]`: every figure of issue 9 in one run, side by side.

Writes bench/results/latest.json, bench/RESULTS.md and bench/FANOUT.md (or, with
``--out``, the same files elsewhere: the smoke test writes to a temp dir).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# Before anything reads settings: never a developer's .classreel/ or real AWS.
for _name in list(os.environ):
    if _name.startswith("CLASSREEL_"):
        del os.environ[_name]
_DATA_DIR = tempfile.mkdtemp(prefix="classreel-bench-data-")
atexit.register(shutil.rmtree, _DATA_DIR, ignore_errors=True)
os.environ["CLASSREEL_DATA_DIR"] = _DATA_DIR
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"

from bench.run import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
