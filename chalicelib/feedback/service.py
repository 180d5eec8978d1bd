"""Comments: point and range feedback, one level of replies, resolve, edit, delete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError

from chalicelib.auth.principal import Principal
from chalicelib.db.base import is_conditional_check_failure, transaction, utcnow
from chalicelib.db.pagination import decode_cursor, encode_cursor
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.events import outbox
from chalicelib.events.models import DomainEvent
from chalicelib.feedback import rules
from chalicelib.feedback.models import (
    COMMENT_PREFIX,
    CommentKey,
    CommentRecord,
    EditAttr,
    new_reply_key,
    new_top_level_key,
    parse_comment_id,
)
from chalicelib.feedback.schemas import (
    CommentView,
    CreateCommentRequest,
    EditView,
    ThreadView,
    UpdateCommentRequest,
)
from chalicelib.framework import service as framework
from chalicelib.videos.access import visible_video


def view(record: CommentRecord) -> CommentView:
    return CommentView(
        id=record.comment_id,
        video_id=record.video_id,
        parent_id=record.parent_id,
        author_id=record.author_id,
        author_name=record.author_name,
        author_role=record.author_role,
        at_s=float(record.at_s),
        end_s=float(record.end_s) if record.end_s is not None else None,
        body=record.body,
        tags=list(record.tags or []),
        resolved=bool(record.resolved),
        resolved_by=record.resolved_by,
        resolved_at=record.resolved_at,
        edits=[
            EditView(
                body=e.body, tags=list(e.tags or []), edited_at=e.edited_at, edited_by=e.edited_by
            )
            for e in record.history or []
        ],
        created_at=record.created_at,
        updated_at=record.updated_at,
        version=int(record.version or 0),
    )


def _load(video_id: str, comment_id: str) -> tuple[CommentKey, CommentRecord]:
    key = parse_comment_id(comment_id)
    if key is None:
        raise NotFound("Comment not found")
    try:
        record = CommentRecord.get(
            CommentRecord.partition(video_id), key.sort_key, consistent_read=True
        )
    except CommentRecord.DoesNotExist:
        raise NotFound("Comment not found") from None
    return key, record


def find_comment(video_id: str, comment_id: str) -> CommentRecord:
    """A comment of a video the caller has already been allowed to see."""
    return _load(video_id, comment_id)[1]


def carry_over(
    source_partition: str, target_partition: str, target_id: str, start_s: float, end_s: float
) -> list[CommentRecord]:
    """Copy the threads whose time falls in [start_s, end_s] into another partition.

    Times are rebased to ``start_s`` (a range is clipped to the window) and
    authorship is kept; new ids, because a comment id encodes its time.
    """
    copies: list[CommentRecord] = []
    new_ids: dict[str, str] = {}
    for item in CommentRecord.query(
        source_partition, CommentRecord.sk.startswith(COMMENT_PREFIX), consistent_read=True
    ):
        at_s = float(item.at_s)
        if not start_s <= at_s <= end_s:
            continue
        if item.parent_id is None:
            key = new_top_level_key(at_s - start_s)
            new_ids[item.comment_id] = key.comment_id
        elif item.parent_id in new_ids:
            key = new_reply_key(new_ids[item.parent_id], int(item.created_at.timestamp() * 1000))
        else:
            continue
        rebased_end = min(float(item.end_s), end_s) - start_s if item.end_s is not None else None
        copies.append(
            CommentRecord(
                target_partition,
                key.sort_key,
                comment_id=key.comment_id,
                video_id=target_id,
                district=item.district,
                author_id=item.author_id,
                author_name=item.author_name,
                author_role=item.author_role,
                parent_id=key.parent_id,
                at_s=round(at_s - start_s, 3),
                end_s=round(rebased_end, 3) if rebased_end is not None else None,
                body=item.body,
                tags=list(item.tags or []),
                resolved=bool(item.resolved),
                created_at=item.created_at,
                updated_at=item.updated_at,
            )
        )
    with CommentRecord.batch_write() as batch:
        for copy in copies:
            batch.save(copy)
    return copies


def add_comment(
    principal: Principal, video_id: str, request: CreateCommentRequest
) -> CommentRecord:
    video = visible_video(principal, video_id)
    tags = framework.check_tags(principal.district, request.tags)
    now = utcnow()
    end_s: float | None
    if request.parent_id is not None:
        parent_key, parent = _load(video_id, request.parent_id)
        if parent_key.parent_id is not None:
            raise InvalidInput("Replies cannot have replies", field="parent_id")
        key = new_reply_key(parent.comment_id, int(now.timestamp() * 1000))
        at_s = float(parent.at_s)
        end_s = float(parent.end_s) if parent.end_s is not None else None
    elif request.at_s is None:
        raise InvalidInput("at_s is required (seconds into the video)", field="at_s")
    else:
        rules.check_times(video.duration_s, request.at_s, request.end_s)
        key = new_top_level_key(request.at_s)
        at_s, end_s = request.at_s, request.end_s
    record = CommentRecord(
        CommentRecord.partition(video_id),
        key.sort_key,
        comment_id=key.comment_id,
        video_id=video_id,
        district=video.district,
        author_id=principal.user_id,
        author_name=principal.name,
        author_role=principal.primary_role.value,
        parent_id=key.parent_id,
        at_s=round(at_s, 3),
        end_s=round(end_s, 3) if end_s is not None else None,
        body=request.body,
        tags=tags,
        created_at=now,
        updated_at=now,
    )
    # The payload shows the comment as it is stored: PynamoDB writes version 1
    # with the transaction and only then sets it on ``record``.
    stored = view(record).model_copy(update={"version": 1})
    payload = {"video_id": video_id, "comment": stored.model_dump(mode="json")}
    events = [DomainEvent("comment.created", principal.district, payload)]
    if record.parent_id is not None:
        # Its own event too: the thread's participants hear about a reply.
        events.append(DomainEvent("comment.replied", principal.district, payload))
    try:
        with transaction() as tx:
            tx.save(record, condition=CommentRecord.sk.does_not_exist())
            for event in events:
                outbox.add(tx, event)
    except TransactWriteError as exc:
        if outbox.condition_failed(exc):
            raise Conflict("Please retry: a comment id collided") from exc
        raise
    framework.count_usage(principal.district, added=tags)
    return record


@dataclass(frozen=True)
class ThreadPage:
    threads: list[ThreadView]
    next_cursor: str | None


def list_threads(
    principal: Principal, video_id: str, *, cursor: str | None, limit: int
) -> ThreadPage:
    visible_video(principal, video_id)
    return thread_page(CommentRecord.partition(video_id), cursor=cursor, limit=limit)


def thread_page(partition: str, *, cursor: str | None, limit: int) -> ThreadPage:
    """One page of the comment threads stored in ``partition`` (a video's or a clip's)."""
    start = decode_cursor(cursor, must_match={"pk": partition})
    results = CommentRecord.query(
        partition,
        CommentRecord.sk.startswith(COMMENT_PREFIX),
        limit=limit,
        last_evaluated_key=start,
        consistent_read=True,
    )
    items = list(results)
    last_key = results.last_evaluated_key
    if last_key and items:
        # Finish the last thread so no thread is split across pages.
        last = parse_comment_id(items[-1].comment_id)
        if last is not None:
            rest = list(
                CommentRecord.query(
                    partition,
                    CommentRecord.sk.startswith(last.thread_prefix),
                    last_evaluated_key=last_key,
                    consistent_read=True,
                )
            )
            items += rest
            if rest:
                last_key = {"pk": {"S": partition}, "sk": {"S": rest[-1].sk}}
    return ThreadPage(threads=_group(items), next_cursor=encode_cursor(last_key))


def _group(items: list[CommentRecord]) -> list[ThreadView]:
    threads: list[ThreadView] = []
    for item in items:
        if item.parent_id is None:
            threads.append(ThreadView(**view(item).model_dump(), replies=[]))
        elif threads and threads[-1].id == item.parent_id:
            threads[-1].replies.append(view(item))
    return threads


def update_comment(
    principal: Principal, video_id: str, comment_id: str, request: UpdateCommentRequest
) -> CommentRecord:
    video = visible_video(principal, video_id)
    _, record = _load(video_id, comment_id)
    rules.require_author(principal, record)
    if request.body is None and request.tags is None:
        raise InvalidInput("Nothing to change: send body and/or tags", field="body")
    old_tags = list(record.tags or [])
    new_tags = (
        framework.check_tags(video.district, request.tags) if request.tags is not None else old_tags
    )
    now = utcnow()
    previous = EditAttr(body=record.body, tags=old_tags, edited_at=now, edited_by=principal.user_id)
    actions: list[Any] = [
        CommentRecord.history.set((CommentRecord.history | []).append([previous])),
        CommentRecord.body.set(request.body if request.body is not None else record.body),
        CommentRecord.tags.set(new_tags),
        CommentRecord.updated_at.set(now),
    ]
    # Optimistic locking on the version the client read: of concurrent edits
    # from the same version exactly one wins; the rest get the current state.
    record.version = request.version
    try:
        record.update(actions=actions)
    except UpdateError as exc:
        if is_conditional_check_failure(exc):
            _, current = _load(video_id, comment_id)
            raise Conflict(
                "Someone changed this comment since you read it",
                field="version",
                details={"current": view(current).model_dump(mode="json")},
            ) from exc
        raise
    added, removed = rules.tag_changes(old_tags, new_tags)
    framework.count_usage(video.district, added=added, removed=removed)
    return record


def set_resolved(
    principal: Principal, video_id: str, comment_id: str, *, resolved: bool
) -> CommentRecord:
    video = visible_video(principal, video_id)
    rules.require_resolver(principal, video)
    _, record = _load(video_id, comment_id)
    now = utcnow()
    actions: list[Any] = [CommentRecord.resolved.set(resolved), CommentRecord.updated_at.set(now)]
    if resolved:
        actions += [
            CommentRecord.resolved_by.set(principal.user_id),
            CommentRecord.resolved_at.set(now),
        ]
    else:
        actions += [CommentRecord.resolved_by.remove(), CommentRecord.resolved_at.remove()]
    record.update(actions=actions, add_version_condition=False)
    return record


def delete_comment(principal: Principal, video_id: str, comment_id: str) -> None:
    video = visible_video(principal, video_id)
    key, record = _load(video_id, comment_id)
    rules.require_deleter(principal, record)
    doomed = [record]
    if key.parent_id is None:
        doomed += [
            reply
            for reply in CommentRecord.query(
                CommentRecord.partition(video_id),
                CommentRecord.sk.startswith(key.sort_key + "#R#"),
            )
        ]
    for item in doomed:
        try:
            item.delete(add_version_condition=False)
        except DeleteError as exc:
            if not is_conditional_check_failure(exc):
                raise
    framework.count_usage(video.district, removed=[t for item in doomed for t in item.tags or []])
