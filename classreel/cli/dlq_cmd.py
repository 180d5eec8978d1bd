"""`classreel dlq list|redrive`: what the workers gave up on, and replaying it.

Talks to SQS directly with the operator's credentials. Against the local twin
it finds the running stack through its state file (``--data-dir``), unless the
``CLASSREEL_*`` endpoint settings already say where SQS is.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from chalicelib.config import Settings, get_settings
from chalicelib.ops.dead_letters import (
    dead_letter_queue,
    list_dead_letters,
    queue_names,
    redrive,
)
from classreel.local.stack import read_state


def _settings(data_dir: str | None) -> Settings:
    settings = get_settings()
    if settings.sqs_endpoint_url:
        return settings
    state = read_state(Path(data_dir) if data_dir else settings.data_dir)
    if data_dir and state is None:
        raise click.ClickException(f"no local stack is running from {data_dir}")
    if state is None:
        return settings  # AWS, with the operator's own credentials
    # The local services accept any credentials; boto3 only needs some.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    moto_url = str(state["moto_url"])
    return settings.model_copy(update={"sqs_endpoint_url": moto_url, "s3_endpoint_url": moto_url})


_queue_option = click.option(
    "--queue",
    "queue_name",
    type=click.Choice(queue_names(get_settings())),
    default="ingest",
    show_default=True,
    help="Which worker's dead-letter queue.",
)
_data_dir_option = click.option(
    "--data-dir", default=None, help="A local stack's data dir (default: .classreel/)."
)


@click.group()
def dlq() -> None:
    """Inspect and replay dead-letter queues."""


@dlq.command("list")
@_queue_option
@_data_dir_option
@click.option("--json", "as_json", is_flag=True, help="One JSON document with every message.")
def list_command(queue_name: str, data_dir: str | None, as_json: bool) -> None:
    """Show the messages in a dead-letter queue (they stay there)."""
    settings = _settings(data_dir)
    letters = list_dead_letters(dead_letter_queue(queue_name, settings), settings)
    if as_json:
        click.echo(json.dumps([letter.as_dict() for letter in letters], indent=2))
        return
    if not letters:
        click.echo(f"The {queue_name} dead-letter queue is empty.")
        return
    click.echo(f"{'MESSAGE ID':<38} {'SENT (UTC)':<21} {'RECEIVES':>8}  SUMMARY")
    for letter in letters:
        row = letter.as_dict()
        click.echo(
            f"{letter.message_id:<38} {row['sent_at']:<21} {letter.receive_count:>8}  "
            f"{letter.summary}"
        )
    click.echo(f"{len(letters)} message(s).")


@dlq.command("redrive")
@_queue_option
@_data_dir_option
@click.option("--all", "redrive_all", is_flag=True, help="Replay every message.")
@click.argument("message_ids", nargs=-1)
def redrive_command(
    queue_name: str, data_dir: str | None, redrive_all: bool, message_ids: tuple[str, ...]
) -> None:
    """Send messages back to their queue for another round of attempts."""
    if redrive_all == bool(message_ids):
        raise click.UsageError("give either --all or one or more MESSAGE_IDs")
    settings = _settings(data_dir)
    queue = dead_letter_queue(queue_name, settings)
    result = redrive(queue, settings, None if redrive_all else set(message_ids))
    for message_id in result.moved:
        click.echo(f"redriven {message_id}")
    click.echo(f"{len(result.moved)} message(s) sent back to the {queue_name} queue.")
    if result.not_found:
        raise click.ClickException("not in the dead-letter queue: " + ", ".join(result.not_found))
