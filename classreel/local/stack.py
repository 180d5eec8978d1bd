"""The whole local twin, started and stopped as one: `classreel local up`.

Order matters: moto, DynamoDB Local and the mail server first, then the
resources (bootstrap), then the processes that use them (the Lambda runner and the
API server). Every child is ours, tracked by pid, and stopped in reverse order.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from chalicelib import aws
from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.config import PROJECT_ROOT, Settings, reset_settings_cache
from chalicelib.db.base import configure_models
from chalicelib.observability import logger
from chalicelib.playback.keys import ensure_local_key
from classreel.local import bootstrap, s3_snapshot
from classreel.local.processes import ManagedProcess, free_port, wait_for_port, wait_until
from classreel.local.services import dynamodb_local_argv, moto_server_argv

STATE_FILE = "stack.json"


@dataclass
class StackOptions:
    data_dir: Path
    api_port: int = 8000
    # make run keeps data across restarts; tests start from nothing.
    persist: bool = True
    start_api: bool = True
    start_runner: bool = True
    # Extra CLASSREEL_* settings (tests shorten timeouts, for instance).
    settings_overrides: dict[str, str] = field(default_factory=dict)


class LocalStack:
    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.data_dir = options.data_dir.resolve()
        self.moto_port = free_port()
        self.dynamodb_port = free_port()
        self.smtp_port = free_port()
        self.api_port = options.api_port or free_port()
        self.env: dict[str, str] = {}
        self._services: dict[str, ManagedProcess] = {}
        self._workers: dict[str, ManagedProcess] = {}
        self._stopping = threading.Event()
        self._saved_env: dict[str, str | None] | None = None

    # ----------------------------------------------------------------- urls
    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def moto_url(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    @property
    def dynamodb_url(self) -> str:
        return f"http://127.0.0.1:{self.dynamodb_port}"

    @property
    def mail_dir(self) -> Path:
        """Every message the local mail server accepted (classreel/local/mailbox.py)."""
        return self.data_dir / "mail"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    # ------------------------------------------------------------ lifecycle
    def start(self) -> LocalStack:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.env = self._base_env()
        # This process bootstraps resources and saves snapshots, so it talks to
        # the services with the same settings as its children; stop() restores
        # the environment it found.
        self._saved_env = {name: os.environ.get(name) for name in self.env}
        self.apply_to_current_process()
        try:
            self._start_services()
            self.env["CLASSREEL_QUEUE_URLS"] = json.dumps(self._bootstrap())
            self.apply_to_current_process()
            DevIssuer(self.settings()).ensure_key()
            ensure_local_key(self.settings().local_playback_key_path)
            if self.options.start_runner:
                self._workers["runner"] = self._python_process("runner", "classreel.local.runner")
            if self.options.start_api:
                self._workers["api"] = self._python_process(
                    "api", "classreel.local.api_server", "--port", str(self.api_port)
                )
            # Written before the API answers, so whoever sees /health up also
            # finds the state file (`local status`, `local down`).
            self._write_state()
            if self.options.start_api:
                wait_until(self._workers["api"], f"{self.api_url}/health", timeout_s=60)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self._stopping.set()
        for name in ("api", "runner"):
            process = self._workers.pop(name, None)
            if process is not None:
                process.stop()
        if self.options.persist and "moto" in self._services and self._services["moto"].running():
            try:
                saved = s3_snapshot.save(
                    aws.s3_client(self.settings()), self._buckets(), self.data_dir / "s3"
                )
                logger.info("saved local S3 objects", extra={"objects": saved})
            except Exception:  # noqa: BLE001  (shutdown must go on; the snapshot is best effort)
                logger.exception("could not save the local S3 objects")
        for name in ("mail", "dynamodb", "moto"):
            process = self._services.pop(name, None)
            if process is not None:
                process.stop()
        with contextlib.suppress(FileNotFoundError):
            (self.data_dir / STATE_FILE).unlink()
        self._restore_environment()

    def _restore_environment(self) -> None:
        if self._saved_env is None:
            return
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env = None
        reset_settings_cache()
        aws.reset_clients()
        configure_models()

    def supervise(self, stop: threading.Event, poll_s: float = 0.5) -> None:
        """Run until ``stop`` is set, restarting the runner or API if one dies."""
        while not stop.wait(poll_s):
            for name, process in list(self._workers.items()):
                if not process.running() and not self._stopping.is_set():
                    logger.warning(f"{name} exited; restarting", extra={"log": process.log_tail(5)})
                    process.start()
                    self._write_state()

    # -------------------------------------------------------------- helpers
    def settings(self) -> Settings:
        """The settings the stack's processes read from their environment."""
        overrides: dict[str, object] = {}
        for name, value in self.env.items():
            if not name.startswith("CLASSREEL_"):
                continue
            field = name[len("CLASSREEL_") :].lower()
            # As pydantic-settings reads the environment: complex values are JSON.
            info = Settings.model_fields.get(field)
            is_mapping = info is not None and isinstance(
                info.get_default(call_default_factory=True), dict
            )
            overrides[field] = json.loads(value) if is_mapping else value
        return Settings(**overrides)  # type: ignore[arg-type]

    def apply_to_current_process(self) -> None:
        """Make this process (a test, the CLI) talk to the stack like its children do."""
        os.environ.update(self.env)
        reset_settings_cache()
        aws.reset_clients()
        configure_models()

    def worker(self, name: str) -> ManagedProcess:
        return self._workers[name]

    def service(self, name: str) -> ManagedProcess:
        return self._services[name]

    def _base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLASSREEL_"))}
        env.update(
            {
                # The local services accept any credentials; these keep boto3 from
                # looking for real ones (or an instance metadata service).
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true",
                "CLASSREEL_REGION": "us-east-1",
                "CLASSREEL_S3_ENDPOINT_URL": self.moto_url,
                "CLASSREEL_SQS_ENDPOINT_URL": self.moto_url,
                "CLASSREEL_DYNAMODB_ENDPOINT_URL": self.dynamodb_url,
                "CLASSREEL_DATA_DIR": str(self.data_dir),
                # Mail goes to the local SMTP server; its links point at this web client.
                "CLASSREEL_SMTP_PORT": str(self.smtp_port),
                "CLASSREEL_WEB_URL": self.api_url,
                # Local receivers (tests, a developer's tool) listen on 127.0.0.1.
                "CLASSREEL_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
                # No X-Ray daemon locally: traces are AWS's (metrics and logs are not).
                "POWERTOOLS_TRACE_DISABLED": "true",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if not self.options.persist:
            # A table of its own: a process that talks to two stacks in turn (the
            # tests) reconnects its models when the table name changes
            # (chalicelib/db/base.py configure_models). Nothing of it is kept.
            env["CLASSREEL_TABLE_NAME"] = f"classreel-{self.dynamodb_port}"
        env.update(self.options.settings_overrides)
        return env

    def _start_services(self) -> None:
        self._services["moto"] = ManagedProcess(
            "moto", moto_server_argv(self.moto_port), self.env, self.logs_dir / "moto.log"
        ).start()
        db_dir = self.data_dir / "dynamodb" if self.options.persist else None
        self._services["dynamodb"] = ManagedProcess(
            "dynamodb",
            dynamodb_local_argv(self.dynamodb_port, db_dir),
            self.env,
            self.logs_dir / "dynamodb.log",
            # DynamoDB Local drops a metadata file into its working directory.
            cwd=self.data_dir,
        ).start()
        self._services["mail"] = self._python_process(
            "mail", "classreel.local.mail_server", "--port", str(self.smtp_port)
        )
        wait_for_port(self._services["mail"], self.smtp_port, timeout_s=30)
        wait_until(self._services["moto"], f"{self.moto_url}/moto-api/", timeout_s=60)
        wait_until(self._services["dynamodb"], self.dynamodb_url, timeout_s=90)

    def _bootstrap(self) -> dict[str, str]:
        settings = self.settings()
        bootstrap.create_table(settings)
        bootstrap.create_buckets(settings)
        if self.options.persist:
            restored = s3_snapshot.restore(
                aws.s3_client(settings), self._buckets(), self.data_dir / "s3"
            )
            if restored:
                logger.info("restored local S3 objects", extra={"objects": restored})
        queue_urls = bootstrap.create_queues(settings)
        bootstrap.connect_uploads_to_queue(settings, queue_urls["ingest"])
        return queue_urls

    def _buckets(self) -> list[str]:
        settings = self.settings()
        return [settings.uploads_bucket, settings.media_bucket]

    def _python_process(self, name: str, module: str, *args: str) -> ManagedProcess:
        return ManagedProcess(
            name,
            [sys.executable, "-m", module, *args],
            self.env,
            self.logs_dir / f"{name}.log",
            cwd=PROJECT_ROOT,
        ).start()

    def _write_state(self) -> None:
        state = {
            "supervisor_pid": os.getpid(),
            "api_url": self.api_url,
            "moto_url": self.moto_url,
            "dynamodb_url": self.dynamodb_url,
            "started_at": time.time(),
            "pids": {name: p.pid for name, p in {**self._services, **self._workers}.items()},
        }
        (self.data_dir / STATE_FILE).write_text(json.dumps(state, indent=2))


def read_state(data_dir: Path) -> dict[str, object] | None:
    try:
        state: dict[str, object] = json.loads((data_dir / STATE_FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return state
