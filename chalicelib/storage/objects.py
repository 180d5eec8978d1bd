"""Object operations the workers and API need, streaming (never whole videos in memory)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import MIB, Settings

# 16 MiB chunks, 4 threads: bounded memory whatever the video's size.
TRANSFER = TransferConfig(multipart_chunksize=16 * MIB, max_concurrency=4, use_threads=True)


@dataclass(frozen=True)
class ObjectHead:
    size: int
    content_type: str
    etag: str
    version_id: str | None
    last_modified: datetime


def head(
    bucket: str, key: str, settings: Settings, version_id: str | None = None
) -> ObjectHead | None:
    kwargs: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id:
        kwargs["VersionId"] = version_id
    try:
        response = aws.s3_client(settings).head_object(**kwargs)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound", "NoSuchVersion"):
            return None
        raise
    version = response.get("VersionId")
    return ObjectHead(
        size=response["ContentLength"],
        content_type=response.get("ContentType", ""),
        etag=response["ETag"].strip('"'),
        version_id=version if version and version != "null" else None,
        last_modified=response["LastModified"],
    )


def download(
    bucket: str, key: str, target: Path, settings: Settings, version_id: str | None
) -> None:
    extra = {"VersionId": version_id} if version_id else None
    aws.s3_client(settings).download_file(
        bucket, key, str(target), ExtraArgs=extra, Config=TRANSFER
    )


def upload(source: Path, bucket: str, key: str, content_type: str, settings: Settings) -> None:
    aws.s3_client(settings).upload_file(
        str(source),
        bucket,
        key,
        ExtraArgs={"ContentType": content_type, "CacheControl": IMMUTABLE},
        Config=TRANSFER,
    )


IMMUTABLE = "private, max-age=31536000"
# A playlist that grows while the lesson encodes: caches must ask again.
REVALIDATE = "private, no-cache"


def put_bytes(
    bucket: str,
    key: str,
    body: bytes,
    content_type: str,
    settings: Settings,
    cache_control: str = IMMUTABLE,
) -> None:
    """A small object written in one request (playlists, HLS segments)."""
    aws.s3_client(settings).put_object(
        Bucket=bucket, Key=key, Body=body, ContentType=content_type, CacheControl=cache_control
    )


def put_text(
    bucket: str,
    key: str,
    text: str,
    content_type: str,
    settings: Settings,
    cache_control: str = REVALIDATE,
) -> None:
    put_bytes(bucket, key, text.encode(), content_type, settings, cache_control)


def read_bytes(bucket: str, key: str, settings: Settings) -> bytes:
    body: bytes = aws.s3_client(settings).get_object(Bucket=bucket, Key=key)["Body"].read()
    return body


def list_keys(bucket: str, prefix: str, settings: Settings) -> list[str]:
    paginator = aws.s3_client(settings).get_paginator("list_objects_v2")
    return [
        item["Key"]
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    ]


def delete_version(bucket: str, key: str, version_id: str | None, settings: Settings) -> None:
    kwargs: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id:
        kwargs["VersionId"] = version_id
    aws.s3_client(settings).delete_object(**kwargs)


def delete_prefix(bucket: str, prefix: str, settings: Settings) -> int:
    """Delete every object (and every version) under ``prefix``; returns how many."""
    s3 = aws.s3_client(settings)
    deleted = 0
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        entries = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        ]
        for start in range(0, len(entries), 1000):
            batch = entries[start : start + 1000]
            s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})  # type: ignore[typeddict-item]
            deleted += len(batch)
    return deleted


def presigned_get(bucket: str, key: str, settings: Settings, *, filename: str | None = None) -> str:
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if filename:
        params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
    url: str = aws.s3_client(settings).generate_presigned_url(
        "get_object", Params=params, ExpiresIn=settings.playback_url_expiry_s
    )
    return url


def list_prefixes(bucket: str, prefix: str, settings: Settings) -> list[str]:
    """The "folders" directly under ``prefix``."""
    paginator = aws.s3_client(settings).get_paginator("list_objects_v2")
    found: list[str] = []
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
        found += [common["Prefix"] for common in page.get("CommonPrefixes", [])]
    return found
