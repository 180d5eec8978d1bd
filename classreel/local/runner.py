"""The local stand-in for Lambda's SQS event source mapping.

It polls each queue and invokes the *same* handler functions that Lambda runs,
with the event Lambda would build: ``Records[]`` carrying each message body,
attributes and receipt handle. What happens after an invocation also follows
Lambda with ``ReportBatchItemFailures``:

- the handler raises → no message is deleted; each returns after the queue's
  visibility timeout and SQS moves it to the DLQ after ``maxReceiveCount``;
- it returns ``{"batchItemFailures": [...]}`` → those stay, the rest are deleted;
- anything else → the whole batch is deleted.

Scheduled functions (``@app.schedule``) are invoked on a timer.

Each invocation of an app.py function runs in a process of its own, forked
from a server that imported app.py once, and is killed when it runs past its
function's timeout, as Lambda stops it; its messages then come back after the
visibility timeout. So a design that cannot fit Lambda's limits fails here too.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import forkserver
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from chalice.app import ScheduledEventConfig, SQSEventConfig

from chalicelib import aws
from chalicelib.config import PROJECT_ROOT, Settings, get_settings
from chalicelib.jobs.queues import work_queues
from chalicelib.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

LambdaHandler = Callable[[dict[str, Any], Any], Any]
# Lambda's own maximum; scheduled functions in AWS run with their FunctionSpec's.
SCHEDULE_TIMEOUT_S = 900


class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    def __init__(self, function_name: str, timeout_s: int, memory_mb: int = 2048) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self.timeout_s = timeout_s
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class FunctionTimedOut(Exception):
    """The invocation ran past its function's timeout and was stopped."""


class FunctionCrashed(Exception):
    """The invocation's process died without answering (killed, out of memory)."""


class FunctionFailed(Exception):
    """The handler raised; the message is its error as the invocation reported it."""


def _invoke_isolated(
    module: str, attribute: str, function_name: str, timeout_s: int, event: Any, answer: Any
) -> None:
    """Runs in the invocation's own process (forked from the server that imported app.py)."""
    handler = getattr(importlib.import_module(module), attribute)
    try:
        result = handler(event, LambdaContext(function_name, timeout_s))
    except Exception as exc:  # noqa: BLE001  (Lambda's contract: any error fails the invocation)
        logger.exception("handler failed", extra={"function": function_name})
        answer.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    answer.send(("ok", result))


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux /proc), without a dependency for it."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def kill_tree(pid: int) -> None:
    """Stop an invocation and everything it started (ffmpeg), as Lambda ends an environment.

    The invocation is frozen first, so it cannot start a child while its tree
    is being walked.
    """
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGSTOP)
    pending, tree = [pid], []
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += _children(current)
    for member in reversed(tree):
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


class IsolatedFunction:
    """An app.py function invoked as Lambda would: one process per invocation, a hard timeout.

    Invocations fork from a server process that imported ``module`` once, so
    each starts warm (as a reused Lambda environment) but shares nothing with
    the runner's threads, and can be killed on its deadline.
    """

    _context = multiprocessing.get_context("forkserver")

    def __init__(self, module: str, attribute: str) -> None:
        self.module = module
        self.attribute = attribute

    @classmethod
    def preload(cls, modules: list[str]) -> None:
        """Start the server now, with ``modules`` imported: the first invocation is warm too."""
        cls._context.set_forkserver_preload(modules)
        forkserver.ensure_running()

    def __call__(self, event: dict[str, Any], context: LambdaContext) -> Any:
        receive, answer = self._context.Pipe(duplex=False)
        timeout_s = context.timeout_s
        process = self._context.Process(
            target=_invoke_isolated,
            args=(self.module, self.attribute, context.function_name, timeout_s, event, answer),
            name=f"{context.function_name}-invocation",
            daemon=True,
        )
        process.start()
        answer.close()
        try:
            if not receive.poll(context.get_remaining_time_in_millis() / 1000):
                if process.pid is not None:
                    kill_tree(process.pid)
                raise FunctionTimedOut(
                    f"{context.function_name} timed out after {timeout_s} s and was stopped"
                )
            try:
                status, value = receive.recv()
            except EOFError:
                process.join(5)
                raise FunctionCrashed(
                    f"{context.function_name} exited without answering "
                    f"(exit code {process.exitcode})"
                ) from None
        finally:
            receive.close()
            process.join(5)
        if status == "error":
            raise FunctionFailed(value)
        return value


@dataclass(frozen=True)
class QueueBinding:
    function_name: str
    queue_url: str
    handler: LambdaHandler
    batch_size: int = 1
    concurrency: int = 1
    timeout_s: int = 900


def _lambda_message_attributes(message: MessageTypeDef) -> dict[str, Any]:
    converted: dict[str, Any] = {}
    for name, value in message.get("MessageAttributes", {}).items():
        converted[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value.get("DataType"),
        }
    return converted


def build_sqs_event(messages: list[MessageTypeDef], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": dict(message.get("Attributes", {})),
                "messageAttributes": _lambda_message_attributes(message),
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }


def scheduled_event(rule_name: str, region: str) -> dict[str, Any]:
    """The EventBridge event a schedule rule delivers to Lambda."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": region,
        "resources": [f"arn:aws:events:{region}:000000000000:rule/{rule_name}"],
        "detail": {},
    }


def failed_message_ids(result: Any, batch_ids: set[str]) -> set[str]:
    """Which messages to keep, per Lambda's partial-batch response contract."""
    if not isinstance(result, dict) or "batchItemFailures" not in result:
        return set()
    failures = result["batchItemFailures"]
    if not isinstance(failures, list):
        return set(batch_ids)
    ids = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if identifier not in batch_ids:
            # Lambda treats an unknown or missing identifier as a failed batch.
            return set(batch_ids)
        ids.add(identifier)
    return ids


class LambdaRunner:
    def __init__(
        self,
        sqs: SQSClient,
        bindings: list[QueueBinding],
        *,
        region: str,
        schedules: list[tuple[str, float, LambdaHandler]] | None = None,
        wait_time_s: int = 1,
    ) -> None:
        self._sqs = sqs
        self._bindings = bindings
        self._region = region
        self._schedules = schedules or []
        self._wait_time_s = wait_time_s
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._arns: dict[str, str] = {}

    def start(self) -> None:
        for binding in self._bindings:
            self._arns[binding.queue_url] = self._sqs.get_queue_attributes(
                QueueUrl=binding.queue_url, AttributeNames=["QueueArn"]
            )["Attributes"]["QueueArn"]
            for index in range(binding.concurrency):
                self._spawn(f"{binding.function_name}-{index}", self._poll_forever, binding)
        for name, interval_s, handler in self._schedules:
            self._spawn(f"schedule-{name}", self._tick_forever, name, interval_s, handler)

    def _spawn(self, name: str, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stopping.set()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _poll_forever(self, binding: QueueBinding) -> None:
        while not self._stopping.is_set():
            try:
                self.poll_once(binding)
            except (BotoCoreError, ClientError) as exc:
                # SQS itself unreachable (e.g. the local service restarting): back off.
                logger.warning(
                    "queue poll failed", extra={"queue": binding.queue_url, "error": str(exc)}
                )
                self._stopping.wait(2.0)

    def poll_once(self, binding: QueueBinding) -> int:
        """Receive one batch, invoke the handler, settle the messages. Returns batch size."""
        response = self._sqs.receive_message(
            QueueUrl=binding.queue_url,
            MaxNumberOfMessages=min(binding.batch_size, 10),
            WaitTimeSeconds=self._wait_time_s,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return 0
        event = build_sqs_event(messages, self._arns[binding.queue_url], self._region)
        batch_ids = {message["MessageId"] for message in messages}
        context = LambdaContext(binding.function_name, binding.timeout_s)
        started = time.monotonic()
        try:
            result = binding.handler(event, context)
        except FunctionTimedOut as exc:
            logger.error(
                "invocation stopped at the function timeout; batch returns after visibility "
                "timeout",
                extra={"function": binding.function_name, "error": str(exc)},
            )
            return len(messages)
        except Exception:  # noqa: BLE001  (Lambda's contract: any error fails the batch)
            logger.exception(
                "handler failed; batch returns after visibility timeout",
                extra={"function": binding.function_name},
            )
            return len(messages)
        logger.debug(
            "invocation finished",
            extra={"function": binding.function_name, "seconds": round(time.monotonic() - started)},
        )
        keep = failed_message_ids(result, batch_ids)
        done = [m for m in messages if m["MessageId"] not in keep]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=binding.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        return len(messages)

    def _tick_forever(self, name: str, interval_s: float, handler: LambdaHandler) -> None:
        while not self._stopping.wait(interval_s):
            event = scheduled_event(name, self._region)
            try:
                handler(event, LambdaContext(name, SCHEDULE_TIMEOUT_S))
            except Exception:  # noqa: BLE001  (a failed tick is logged; the next one runs)
                logger.exception("scheduled function failed", extra={"function": name})


def bindings_from_app(app_module: Any, settings: Settings) -> list[QueueBinding]:
    """One binding per ``@app.on_sqs_message`` in app.py, sized by the queue registry."""
    registry = {queue.handler: queue for queue in work_queues(settings).values()}
    bindings = [
        # Queues consumed by a container-image function (face redaction): its entry point.
        QueueBinding(
            function_name=queue.key,
            queue_url=queue.url(settings),
            handler=IsolatedFunction(*queue.handler.split(":")),
            batch_size=queue.batch_size,
            concurrency=settings.local_worker_concurrency,
            timeout_s=queue.function_timeout_s,
        )
        for queue in registry.values()
        if queue.container_image
    ]
    for source in app_module.app.event_sources:
        if not isinstance(source, SQSEventConfig):
            continue
        handler_name = source.handler_string.split(".")[-1]
        queue = registry[handler_name]
        bindings.append(
            QueueBinding(
                function_name=source.name,
                queue_url=queue.url(settings),
                handler=IsolatedFunction(app_module.__name__, handler_name),
                batch_size=source.batch_size,
                concurrency=settings.local_worker_concurrency,
                timeout_s=queue.function_timeout_s,
            )
        )
    return bindings


# The outbox sweep stands in for the table's stream, which the local twin does
# not run, so it ticks far more often here than its once-a-minute schedule in AWS.
RELAY_SCHEDULE = "relay_outbox"


def schedules_from_app(
    app_module: Any, settings: Settings
) -> list[tuple[str, float, LambdaHandler]]:
    schedules: list[tuple[str, float, LambdaHandler]] = []
    for source in app_module.app.event_sources:
        if isinstance(source, ScheduledEventConfig):
            handler_name = source.handler_string.split(".")[-1]
            interval_s = (
                settings.local_relay_interval_s
                if handler_name == RELAY_SCHEDULE
                else settings.local_schedule_interval_s
            )
            schedules.append(
                (source.name, interval_s, IsolatedFunction(app_module.__name__, handler_name))
            )
    return schedules


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Feed SQS messages to the app's Lambda handlers")
    parser.parse_args(argv)
    settings = get_settings()
    sys.path.insert(0, str(PROJECT_ROOT))
    # Invocations fork from a server that has imported app.py (and so every
    # handler's dependencies) once and made the clients they use.
    IsolatedFunction.preload(
        ["app", "chalicelib.redaction.handler", "classreel.local.warm_invocations"]
    )
    app_module = importlib.import_module("app")
    runner = LambdaRunner(
        aws.sqs_client(settings),
        bindings_from_app(app_module, settings),
        region=settings.region,
        schedules=schedules_from_app(app_module, settings),
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runner.start()
    logger.info(
        "local lambda runner started",
        extra={"functions": [b.function_name for b in runner._bindings]},
    )
    stop.wait()
    runner.stop()


if __name__ == "__main__":
    main()
