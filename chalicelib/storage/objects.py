"""Object operations the workers and API need, streaming (never whole videos in memory)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import MIB, Settings

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

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


def read_head_bytes(
    bucket: str, key: str, length: int, settings: Settings, version_id: str | None = None
) -> bytes:
    """The object's first ``length`` bytes (a ranged GET)."""
    kwargs: dict[str, Any] = {"Bucket": bucket, "Key": key, "Range": f"bytes=0-{length - 1}"}
    if version_id:
        kwargs["VersionId"] = version_id
    body: bytes = aws.s3_client(settings).get_object(**kwargs)["Body"].read()
    return body


def presigned_read(
    bucket: str, key: str, settings: Settings, *, version_id: str | None, expires_s: int
) -> str:
    """A GET of this one version, for a worker's own ffmpeg to read with ranges."""
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id:
        params["VersionId"] = version_id
    url: str = aws.s3_client(settings).generate_presigned_url(
        "get_object", Params=params, ExpiresIn=expires_s
    )
    return url


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


class MultipartWriter:
    """One object written in parts as its bytes arrive: bounded memory, nothing on disk.

    Parts go up a few at once while the next is filled; on an error the upload is
    aborted, so no half object is ever visible.
    """

    def __init__(
        self,
        bucket: str,
        key: str,
        content_type: str,
        settings: Settings,
        *,
        part_bytes: int = 16 * MIB,
        parallel: int = 4,
    ) -> None:
        self._s3 = aws.s3_client(settings)
        self._bucket, self._key = bucket, key
        self._part_bytes, self._parallel = part_bytes, parallel
        self._upload_id = self._s3.create_multipart_upload(
            Bucket=bucket, Key=key, ContentType=content_type, CacheControl=IMMUTABLE
        )["UploadId"]
        self._buffer = bytearray()
        self._pool = ThreadPoolExecutor(max_workers=parallel)
        self._pending: list[Future[CompletedPartTypeDef]] = []
        self._parts: list[CompletedPartTypeDef] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        if len(self._buffer) >= self._part_bytes:
            self._send()

    def _send(self) -> None:
        number = len(self._parts) + len(self._pending) + 1
        body, self._buffer = bytes(self._buffer), bytearray()
        self._pending.append(self._pool.submit(self._put, number, body))
        while len(self._pending) >= self._parallel:
            self._parts.append(self._pending.pop(0).result())

    def _put(self, number: int, body: bytes) -> CompletedPartTypeDef:
        response = self._s3.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=body,
        )
        return {"PartNumber": number, "ETag": response["ETag"]}

    def __enter__(self) -> MultipartWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if kind is None:
                if self._buffer or not (self._parts or self._pending):
                    self._send()
                self._parts += [pending.result() for pending in self._pending]
                self._s3.complete_multipart_upload(
                    Bucket=self._bucket,
                    Key=self._key,
                    UploadId=self._upload_id,
                    MultipartUpload={"Parts": sorted(self._parts, key=lambda p: p["PartNumber"])},
                )
            else:
                self._s3.abort_multipart_upload(
                    Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
                )
        finally:
            self._pool.shutdown(wait=True)
