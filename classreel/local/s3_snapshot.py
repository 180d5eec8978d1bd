"""Keep the local S3's objects across restarts of the (in-memory) moto server.

DynamoDB Local persists to disk by itself; moto does not. On a clean stop the
stack copies every object of our buckets to disk, and on start it puts them
back *before* the upload notification is configured, so restoring never
re-triggers ingest.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_META_SUFFIX = ".__meta__.json"


def save(s3: S3Client, buckets: list[str], directory: Path) -> int:
    staging = directory.with_name(directory.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    count = 0
    for bucket in buckets:
        paginator = s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                target = staging / bucket / item["Key"]
                target.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(bucket, item["Key"], str(target))
                head = s3.head_object(Bucket=bucket, Key=item["Key"])
                meta = {
                    "ContentType": head.get("ContentType", "binary/octet-stream"),
                    "Metadata": head.get("Metadata", {}),
                }
                target.with_name(target.name + _META_SUFFIX).write_text(json.dumps(meta))
                count += 1
    # Replace the previous snapshot only once the new one is complete.
    shutil.rmtree(directory, ignore_errors=True)
    if staging.exists():
        staging.rename(directory)
    return count


def restore(s3: S3Client, buckets: list[str], directory: Path) -> int:
    count = 0
    for bucket in buckets:
        root = directory / bucket
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if not path.is_file() or path.name.endswith(_META_SUFFIX):
                continue
            meta_path = path.with_name(path.name + _META_SUFFIX)
            extra = json.loads(meta_path.read_text()) if meta_path.exists() else {}
            s3.upload_file(str(path), bucket, path.relative_to(root).as_posix(), ExtraArgs=extra)
            count += 1
    return count
