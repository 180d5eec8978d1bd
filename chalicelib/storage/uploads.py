"""Direct-to-S3 uploads: presigned POST for small files, multipart for large ones.

The local S3 (moto) checks none of the conditions signed here (expiry, size,
type, key). They still matter in AWS, and our own code re-checks each of them
where it can: at multipart completion (sizes) and when the object lands
(size, type, arrival time) — see ``chalicelib.ingest.worker``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chalicelib import aws
from chalicelib.config import MIB, Settings

# S3 limits: parts of 5 MiB..5 GiB (the last may be smaller), at most 10,000.
MIN_PART_BYTES = 5 * MIB
MAX_PARTS = 10_000


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class UploadedPart:
    part_number: int
    size: int
    etag: str


def part_size_for(total_bytes: int, preferred: int) -> int:
    """``preferred``, or larger (whole MiB) so the file fits in 10,000 parts."""
    needed = math.ceil(total_bytes / (MAX_PARTS - 1))
    return max(preferred, MIN_PART_BYTES, math.ceil(needed / MIB) * MIB)


def part_count(total_bytes: int, part_size: int) -> int:
    return max(1, math.ceil(total_bytes / part_size))


def expected_part_size(part_number: int, total_bytes: int, part_size: int) -> int:
    if part_number < part_count(total_bytes, part_size):
        return part_size
    return total_bytes - part_size * (part_count(total_bytes, part_size) - 1)


def presigned_post(
    key: str, content_type: str, size_bytes: int, settings: Settings
) -> PresignedPost:
    """A form POST that S3 accepts only for this key, this type and exactly this size."""
    response = aws.s3_client(settings).generate_presigned_post(
        Bucket=settings.uploads_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", size_bytes, size_bytes],
        ],
        ExpiresIn=settings.presign_expiry_s,
    )
    return PresignedPost(url=response["url"], fields=dict(response["fields"]))


def create_multipart(key: str, content_type: str, settings: Settings) -> str:
    response = aws.s3_client(settings).create_multipart_upload(
        Bucket=settings.uploads_bucket, Key=key, ContentType=content_type
    )
    return response["UploadId"]


def presign_part(
    key: str, upload_id: str, part_number: int, content_length: int, settings: Settings
) -> str:
    # Content-Length is signed: in AWS the part must be exactly this size.
    url: str = aws.s3_client(settings).generate_presigned_url(
        "upload_part",
        Params={
            "Bucket": settings.uploads_bucket,
            "Key": key,
            "UploadId": upload_id,
            "PartNumber": part_number,
            "ContentLength": content_length,
        },
        ExpiresIn=settings.presign_expiry_s,
    )
    return url


def list_parts(key: str, upload_id: str, settings: Settings) -> list[UploadedPart]:
    s3 = aws.s3_client(settings)
    parts: list[UploadedPart] = []
    marker = 0
    while True:
        response = s3.list_parts(
            Bucket=settings.uploads_bucket, Key=key, UploadId=upload_id, PartNumberMarker=marker
        )
        for part in response.get("Parts", []):
            parts.append(UploadedPart(part["PartNumber"], part["Size"], part["ETag"]))
        if not response.get("IsTruncated"):
            return parts
        marker = response["NextPartNumberMarker"]


def complete_multipart(
    key: str, upload_id: str, parts: list[UploadedPart], settings: Settings
) -> None:
    aws.s3_client(settings).complete_multipart_upload(
        Bucket=settings.uploads_bucket,
        Key=key,
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": p.part_number, "ETag": p.etag} for p in parts]},
    )


def abort_multipart(key: str, upload_id: str, settings: Settings) -> None:
    aws.s3_client(settings).abort_multipart_upload(
        Bucket=settings.uploads_bucket, Key=key, UploadId=upload_id
    )
