"""Fair shares between districts on the work queues.

One district's backlog (a hundred lessons uploaded at once) must not starve the others.
FIFO message groups per district would do it by serialising a lesson's segments, which are
meant to run in parallel; instead each queue runs at most ``district_share`` jobs of one
district at once. The running jobs of a district are leases in one DynamoDB item, changed
under optimistic locking; a lease ends with its job or, if the worker dies, after the
queue's function timeout (the longest any job can run). A message whose district is at its
share goes back on the queue as a new message with a delay, so waiting for a share never
counts as a failed receive on the way to the DLQ; meanwhile the workers take other
districts' messages.
"""

from __future__ import annotations

import time

from pynamodb.attributes import JSONAttribute, VersionAttribute
from pynamodb.exceptions import PutError

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.db.base import TableModel, is_conditional_check_failure
from chalicelib.jobs.dispatch import MAX_DELAY_S, correlation_attributes
from chalicelib.jobs.queues import WorkQueue

# Workers of one district race on its item; each round trip settles at least one of them.
_MAX_ROUNDS = 50


def slots_partition(queue_key: str, district: str) -> str:
    return f"FAIRSHARE#{queue_key}#{district}"


class DistrictSlots(TableModel):
    """The jobs of one district running on one queue: holder (message id) → lease end."""

    holders = JSONAttribute(null=True)
    version = VersionAttribute()


def _load(queue_key: str, district: str) -> DistrictSlots:
    try:
        return DistrictSlots.get(slots_partition(queue_key, district), "SLOTS")
    except DistrictSlots.DoesNotExist:
        return DistrictSlots(slots_partition(queue_key, district), "SLOTS")


def next_holders(
    leases: dict[str, float], holder: str, lease_s: float | None, share: int, now: float
) -> dict[str, float] | None:
    """The district's leases after ``holder`` takes (``lease_s``) or gives back (None) its
    place; None when the share is full. Leases past their end are a dead worker's: dropped."""
    live = {h: float(end) for h, end in leases.items() if float(end) > now}
    if lease_s is None:
        live.pop(holder, None)
    elif holder in live or len(live) < share:
        live[holder] = now + lease_s
    else:
        return None
    return live


def _change(queue_key: str, district: str, holder: str, lease_s: float | None, share: int) -> bool:
    """Take (``lease_s``) or give back (None) ``holder``'s place; False: the share is full."""
    for _ in range(_MAX_ROUNDS):
        slots = _load(queue_key, district)
        live = next_holders(slots.holders or {}, holder, lease_s, share, time.time())
        if live is None:
            return False
        slots.holders = live
        try:
            slots.save()  # conditional on the version read
        except PutError as error:
            if not is_conditional_check_failure(error):
                raise
            continue
        return True
    raise RuntimeError(f"could not settle the {district} share of {queue_key}: too much contention")


def acquire(queue: WorkQueue, district: str, holder: str, share: int) -> bool:
    """A place for ``holder`` among the district's running jobs, unless the share is full."""
    return _change(queue.key, district, holder, queue.function_timeout_s, share)


def release(queue: WorkQueue, district: str, holder: str) -> None:
    _change(queue.key, district, holder, None, share=0)


def send_again_later(queue: WorkQueue, body: str, delay_s: int, settings: Settings) -> None:
    """The message again, as a new one after ``delay_s`` (the caller then deletes the old)."""
    aws.sqs_client(settings).send_message(
        QueueUrl=queue.url(settings),
        MessageBody=body,
        DelaySeconds=max(0, min(delay_s, MAX_DELAY_S)),
        MessageAttributes=correlation_attributes(),
    )
