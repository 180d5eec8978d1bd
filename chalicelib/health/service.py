"""Checks each dependency (S3, SQS, DynamoDB, ffmpeg) and reports what is down."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, Field

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.jobs.queues import work_queue


class ComponentView(BaseModel):
    status: Literal["ok", "down"]
    detail: str | None = Field(
        default=None, description="Why it is down: only for a district admin's token"
    )


class HealthView(BaseModel):
    status: Literal["ok", "unavailable"]
    components: dict[str, ComponentView]


@dataclass(frozen=True)
class ComponentHealth:
    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class HealthReport:
    components: tuple[ComponentHealth, ...]

    @property
    def ok(self) -> bool:
        return all(component.ok for component in self.components)

    def as_dict(self, *, detailed: bool = False) -> dict[str, object]:
        """Anyone may see ok/down; the reasons (raw AWS and OS error text, endpoints)
        only an authenticated admin."""
        return {
            "status": "ok" if self.ok else "unavailable",
            "components": {
                c.name: {
                    "status": "ok" if c.ok else "down",
                    **({"detail": c.detail} if c.detail and detailed else {}),
                }
                for c in self.components
            },
        }


def _check_s3(settings: Settings) -> None:
    client = aws.s3_client(settings, probe=True)
    for bucket in (settings.uploads_bucket, settings.media_bucket):
        client.head_bucket(Bucket=bucket)


def _check_sqs(settings: Settings) -> None:
    aws.sqs_client(settings, probe=True).get_queue_attributes(
        QueueUrl=work_queue("ingest", settings).url(settings), AttributeNames=["QueueArn"]
    )


def _check_dynamodb(settings: Settings) -> None:
    table = aws.dynamodb_client(settings, probe=True).describe_table(TableName=settings.table_name)
    status = table["Table"]["TableStatus"]
    if status != "ACTIVE":
        raise RuntimeError(f"table is {status}")


def _check_ffmpeg(settings: Settings) -> None:
    for binary in (settings.ffmpeg_binary, settings.ffprobe_binary):
        subprocess.run([binary, "-version"], check=True, capture_output=True, timeout=5)


CHECKS: dict[str, Callable[[Settings], None]] = {
    "s3": _check_s3,
    "sqs": _check_sqs,
    "dynamodb": _check_dynamodb,
    "ffmpeg": _check_ffmpeg,
}


def _run(name: str, check: Callable[[Settings], None], settings: Settings) -> ComponentHealth:
    try:
        check(settings)
    except (BotoCoreError, ClientError, OSError, subprocess.SubprocessError, RuntimeError) as exc:
        return ComponentHealth(name, ok=False, detail=f"{type(exc).__name__}: {exc}")
    return ComponentHealth(name, ok=True)


def check_health(settings: Settings) -> HealthReport:
    # In parallel: a dead dependency costs its own timeout, not everyone's.
    with ThreadPoolExecutor(max_workers=len(CHECKS)) as pool:
        futures = [pool.submit(_run, name, check, settings) for name, check in CHECKS.items()]
        return HealthReport(tuple(future.result() for future in futures))
