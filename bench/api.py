"""API figures on the local stack: reads at 1k vs 100k items, throughput, upload → playable.

Each read the issue names is an ``ApiCase``: the HTTP path a client calls and the
same read made in-process through the service function, so botocore can report
the DynamoDB operations it ran and the read capacity they consumed. Adding the
review-queue list and stats are read as a reviewer; the library search as a
teacher. The seed nominates clips and approves some (so the library has entries
with tagged moments) before the table is grown with filler.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from chalicelib.auth.principal import Principal, Role
from chalicelib.config import get_settings
from chalicelib.db.base import TableModel, _all_models
from chalicelib.feedback.models import CommentRecord, new_reply_key, new_top_level_key
from chalicelib.feedback.service import list_threads
from chalicelib.library import service as library_service
from chalicelib.library.schemas import LibraryQuery
from chalicelib.review import queue as review_queue
from chalicelib.review import service as review_service
from chalicelib.review.checklist import CHECKLIST_KEYS
from chalicelib.review.schemas import ApproveRequest, NominateRequest, QueueQuery
from classreel.local.stack import LocalStack
from tests.support.api import Api, upload_file
from tests.support.seed import ready_clip, ready_video
from tests.support.users import TokenFactory

DISTRICT = "district-bench"
SCHOOL = "school-1"
TEACHER = "bench-teacher"
REVIEWER = "bench-reviewer"
THREADS = 30  # top-level comments on the video whose thread is read
REPLIES = 2  # replies under each

NOMINATIONS = 30  # review items in the queue partition that is read
APPROVED = 10  # of which approved into the library


@dataclass
class Scene:
    """What the seed built: the records every case reads, and who reads them."""

    video_id: str
    principal: Principal
    api: Api
    reviewer: Principal
    reviewer_api: Api
    items: int = 0

    def api_for(self, case: ApiCase) -> Api:
        return self.reviewer_api if case.as_reviewer else self.api


@dataclass(frozen=True)
class ApiCase:
    name: str
    path: Callable[[Scene], str]
    service_read: Callable[[Scene], object]
    as_reviewer: bool = False


CASES = (
    ApiCase(
        "comment thread read (GET /videos/{id}/comments)",
        path=lambda scene: f"/videos/{scene.video_id}/comments",
        service_read=lambda scene: list_threads(
            scene.principal, scene.video_id, cursor=None, limit=50
        ),
    ),
    ApiCase(
        "review-queue list (GET /review-queue)",
        path=lambda scene: "/review-queue",
        service_read=lambda scene: review_queue.list_queue(scene.reviewer, QueueQuery()),
        as_reviewer=True,
    ),
    ApiCase(
        "review-queue stats (GET /review-queue/stats)",
        path=lambda scene: "/review-queue/stats",
        service_read=lambda scene: review_queue.stats(scene.reviewer),
        as_reviewer=True,
    ),
    ApiCase(
        "library search (GET /library?element=student-centered&q=wait)",
        path=lambda scene: "/library?element=student-centered&q=wait",
        service_read=lambda scene: library_service.search(
            scene.principal,
            LibraryQuery(element="student-centered", q="wait"),
            get_settings(),
        ),
    ),
)


# ----------------------------------------------------------------- capacity
@dataclass
class CapacityMeter:
    """Adds ReturnConsumedCapacity to every DynamoDB call and sums what comes back."""

    operations: list[str] = field(default_factory=list)
    read_units: float = 0.0
    _clients: set[int] = field(default_factory=set)

    def install(self) -> None:
        # TableModel itself never talks to the table (chalicelib/db/base.py).
        for model in _all_models(TableModel)[1:]:
            client = model._get_connection().connection.client
            if id(client) in self._clients:
                continue
            self._clients.add(id(client))
            client.meta.events.register("provide-client-params.dynamodb.*", self._ask)
            client.meta.events.register("after-call.dynamodb.*", self._record)

    @staticmethod
    def _ask(params: dict[str, Any], **_: Any) -> None:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def _record(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.operations.append(model.name)
        consumed = parsed.get("ConsumedCapacity") or []
        for entry in consumed if isinstance(consumed, list) else [consumed]:
            if model.name in ("GetItem", "Query", "Scan", "BatchGetItem"):
                self.read_units += float(entry.get("CapacityUnits", 0))

    def measure(self, read: Callable[[], object]) -> dict[str, Any]:
        self.operations, self.read_units = [], 0.0
        read()
        return {"read_capacity_units": self.read_units, "operations": list(self.operations)}


# --------------------------------------------------------------------- seed
def _comment(video_id: str, index: int) -> list[CommentRecord]:
    key = new_top_level_key(at_s=index * 2.0 + 1)
    common: dict[str, Any] = {
        "video_id": video_id,
        "district": DISTRICT,
        "author_role": "coach",
        "version": 1,
    }
    top = CommentRecord(
        CommentRecord.partition(video_id),
        key.sort_key,
        comment_id=key.comment_id,
        author_id="bench-coach",
        at_s=index * 2.0 + 1,
        body=f"At this moment the wait time was great ({index}).",
        tags=["student-centered"],
        **common,
    )
    records = [top]
    for reply in range(REPLIES):
        reply_key = new_reply_key(key.comment_id, 1_700_000_000_000 + index * 10 + reply)
        records.append(
            CommentRecord(
                CommentRecord.partition(video_id),
                reply_key.sort_key,
                comment_id=reply_key.comment_id,
                parent_id=key.comment_id,
                author_id=TEACHER,
                at_s=index * 2.0 + 1,
                body="Thanks, I will try that again next week.",
                **common,
            )
        )
    return records


def _write_filler(start: int, count: int, per_video: int = 100) -> int:
    written = 0
    with CommentRecord.batch_write() as batch:
        for n in range(start, start + count, REPLIES + 1):
            for record in _comment(f"filler{n // per_video:07d}", n % per_video):
                batch.save(record)
                written += 1
    return written


def grow_to(scene: Scene, total_items: int, writers: int = 4) -> float:
    """Batch-write filler comments on other videos until the table holds ``total_items``."""
    missing = total_items - scene.items
    started = time.perf_counter()
    if missing > 0:
        chunk = -(-missing // writers)
        with ThreadPoolExecutor(writers) as pool:
            futures = [
                pool.submit(_write_filler, scene.items + offset, min(chunk, missing - offset))
                for offset in range(0, missing, chunk)
            ]
            scene.items += sum(future.result() for future in futures)
    return time.perf_counter() - started


def seed_scene(stack: LocalStack) -> Scene:
    video = ready_video(TEACHER, district=DISTRICT, school=SCHOOL)
    with CommentRecord.batch_write() as batch:
        for index in range(THREADS):
            for record in _comment(video.video_id, index):
                batch.save(record)
    tokens = TokenFactory(stack.settings())
    token = tokens.token(TEACHER, Role.TEACHER, district=DISTRICT, school=SCHOOL)
    principal = Principal(TEACHER, frozenset({Role.TEACHER}), DISTRICT, SCHOOL)
    reviewer = Principal(REVIEWER, frozenset({Role.REVIEWER}), DISTRICT, None)
    reviewer_token = tokens.token(REVIEWER, Role.REVIEWER, district=DISTRICT, school=None)
    _seed_review(principal, reviewer, stack)
    return Scene(
        video.video_id,
        principal,
        Api(stack.api_url, token),
        reviewer,
        Api(stack.api_url, reviewer_token),
        items=1 + THREADS * 3 + NOMINATIONS * 5,
    )


def _seed_review(teacher: Principal, reviewer: Principal, stack: LocalStack) -> None:
    """Nominations in the queue, some approved into the library with tagged moments."""
    settings = stack.settings()
    video = ready_video(TEACHER, district=DISTRICT, school=SCHOOL, consent_to_library=True)
    checklist = dict.fromkeys(CHECKLIST_KEYS, True)
    for index in range(NOMINATIONS):
        clip = ready_clip(
            video,
            title=f"Example {index}",
            comments=((4.0, 12.0, "Long wait time after the question", ("student-centered",)),),
        )
        item = review_service.nominate(
            teacher,
            clip.clip_id,
            NominateRequest(note="Students explain", elements=["student-centered"]),
            settings,
        )
        if index < APPROVED:
            review_service.claim(reviewer, item.review_id, settings)
            review_service.approve(
                reviewer, item.review_id, ApproveRequest(checklist=checklist), settings
            )


# ------------------------------------------------------------------ measure
def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency(scene: Scene, case: ApiCase, requests_n: int, meter: CapacityMeter) -> dict[str, Any]:
    path = case.path(scene)
    api = scene.api_for(case)
    for _ in range(10):  # warm connections and caches
        api.ok("GET", path)
    samples = []
    for _ in range(requests_n):
        started = time.perf_counter()
        api.ok("GET", path)
        samples.append((time.perf_counter() - started) * 1000)
    capacity = meter.measure(lambda: case.service_read(scene))
    return {
        "items": scene.items,
        "requests": requests_n,
        "p50_ms": statistics.median(samples),
        "p99_ms": _percentile(samples, 0.99),
        "mean_ms": statistics.fmean(samples),
        **capacity,
    }


def throughput(scene: Scene, case: ApiCase, clients: int, seconds: float) -> dict[str, Any]:
    api = scene.api_for(case)
    url = f"{api.base_url}{case.path(scene)}"
    headers = {"Authorization": f"Bearer {api.token}"}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients)
    deadline: list[float] = []

    def client() -> None:
        session = requests.Session()
        start_gate.wait()
        mine: list[float] = []
        while time.perf_counter() < deadline[0]:
            started = time.perf_counter()
            try:
                response = session.get(url, headers=headers, timeout=30)
                ok = response.status_code == 200
                problem = f"HTTP {response.status_code}"
            except requests.RequestException as exc:
                ok, problem = False, type(exc).__name__
            mine.append((time.perf_counter() - started) * 1000)
            if not ok:
                with lock:
                    errors.append(problem)
        with lock:
            latencies.extend(mine)

    deadline.append(time.perf_counter() + seconds)
    workers = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return {
        "case": case.name,
        "clients": clients,
        "seconds": elapsed,
        "requests": len(latencies),
        "requests_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) if latencies else None,
        "p99_ms": _percentile(latencies, 0.99) if latencies else None,
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
    }


def upload_to_playable(stack: LocalStack, web: Path, tokens: TokenFactory) -> dict[str, Any]:
    """Upload an already-web file through the API; seconds from upload done to ``playable``."""
    api = Api(stack.api_url, tokens.token("bench-uploader", Role.TEACHER, district=DISTRICT))
    created = api.create_video(web, title="Bench upload")
    video_id = created["video"]["id"]
    upload_file(api, created["upload"], web, "video/mp4")
    uploaded = time.perf_counter()
    playable_s = None
    while time.perf_counter() - uploaded < 300:
        video = api.video(video_id)
        if video.get("playable"):
            playable_s = time.perf_counter() - uploaded
            break
        if video["status"] == "failed":
            raise RuntimeError(f"bench upload failed: {video.get('failure_reason')}")
        time.sleep(0.05)
    if playable_s is None:
        raise RuntimeError("bench upload never became playable")
    final = api.wait_for(video_id, timeout_s=600)
    return {
        "video_id": video_id,
        "upload_to_playable_s": playable_s,
        "upload_to_ready_s": time.perf_counter() - uploaded,
        "status": final["status"],
    }
