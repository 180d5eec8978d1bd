"""`classreel audit export`: a district's audit trail as CSV, for its privacy officer."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import click

from classreel.cli.client import DEFAULT_API, ApiClient, ApiError

COLUMNS = ("at", "action", "actor_id", "actor_role", "video_id", "clip_id", "subject", "id")


@click.group()
def audit() -> None:
    """The audit trail: who saw, shared, decided on or deleted what."""


@audit.command("export")
@click.option("--district", required=True, help="Must be the district of your admin token.")
@click.option("--since", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--until", default=None, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--api", envvar="CLASSREEL_API", default=DEFAULT_API, show_default=True)
@click.option("--token", envvar="CLASSREEL_TOKEN", required=True, help="Or CLASSREEL_TOKEN.")
def export(district: str, since: Any, until: Any, out: Path | None, api: str, token: str) -> None:
    """Write every audit entry of DISTRICT from SINCE (to UNTIL) as CSV (stdout by default)."""
    client = ApiClient(api, token)
    try:
        me = client.request("GET", "/me")
    except ApiError as exc:
        raise click.ClickException(str(exc)) from exc
    if me.get("district") != district:
        raise click.ClickException(
            f"Your token is for district {me.get('district')!r}, not {district!r}"
        )
    if out is None:
        count = _write(client, since.date(), until.date() if until else None, sys.stdout)
    else:
        with out.open("w", newline="", encoding="utf-8") as handle:
            count = _write(client, since.date(), until.date() if until else None, handle)
    click.echo(f"{count} audit entries", err=True)


def _write(client: ApiClient, since: date, until: date | None, handle: TextIO) -> int:
    writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    params: dict[str, Any] = {"since": since.isoformat(), "limit": 1000}
    if until:
        params["until"] = until.isoformat()
    count = 0
    while True:
        try:
            page = client.request("GET", "/audit", params=params)
        except ApiError as exc:
            raise click.ClickException(str(exc)) from exc
        for item in page["items"]:
            writer.writerow(item)
            count += 1
        if not page.get("next_cursor"):
            return count
        params["cursor"] = page["next_cursor"]
