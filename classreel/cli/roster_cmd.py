"""`classreel roster import DIR`: a OneRoster CSV bundle into the district's directory.

A dry run first: what the import would create, update and deactivate, with every problem
by file, line and field. Nothing is written unless asked (``--apply``), and then only the
diff that was shown (the dry run's digest goes with the apply).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from classreel.cli.client import DEFAULT_API, ApiClient, ApiError

# The files ClassReel reads; the rest of a bundle (classes, enrollments...) stays home.
READ = ("manifest.csv", "orgs.csv", "users.csv", "roles.csv")
SHOWN = 10


@click.group()
def roster() -> None:
    """Rostering: schools and staff from the district's student information system."""


@roster.command("import")
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--apply", "apply_", is_flag=True, help="Apply the diff after the dry run.")
@click.option("--yes", is_flag=True, help="With --apply: do not ask before applying.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--api", envvar="CLASSREEL_API", default=DEFAULT_API, show_default=True)
@click.option("--token", envvar="CLASSREEL_TOKEN", required=True, help="An admin's token.")
def import_command(
    bundle: Path, apply_: bool, yes: bool, as_json: bool, api: str, token: str
) -> None:
    """Compare the OneRoster 1.1/1.2 bundle in BUNDLE (a folder of CSV files) with the
    directory; with --apply, make the change."""
    files = {
        name: (bundle / name).read_text(encoding="utf-8-sig")
        for name in READ
        if (bundle / name).is_file()
    }
    client = ApiClient(api, token, timeout_s=300)
    report = _post(client, {"files": files, "apply": False})
    if as_json and not apply_:
        click.echo(json.dumps(report, indent=2))
    else:
        _show(report)
    if report["errors"]:
        raise click.ClickException(f"{len(report['errors'])} problems: nothing was imported")
    if not apply_:
        click.echo("Dry run: nothing was changed. Run again with --apply to import.")
        return
    if not _changes(report):
        click.echo("The directory already matches this roster: nothing to do.")
        return
    if not yes:
        click.confirm("Apply these changes?", abort=True)
    applied = _post(client, {"files": files, "apply": True, "digest": report["digest"]})
    if as_json:
        click.echo(json.dumps(applied, indent=2))
    counts = applied["counts"]
    click.echo(
        f"Imported: {counts['creates']} added, {counts['updates']} updated, "
        f"{counts['deactivations']} deactivated."
    )


def _post(client: ApiClient, body: dict[str, Any]) -> dict[str, Any]:
    try:
        report: dict[str, Any] = client.request("POST", "/directory/imports", json=body)
    except ApiError as exc:
        problems = exc.body.get("errors", []) if isinstance(exc.body, dict) else []
        for problem in problems[:SHOWN]:
            click.echo(f"  {_where(problem)}: {problem['message']}", err=True)
        raise click.ClickException(str(exc)) from exc
    return report


def _changes(report: dict[str, Any]) -> int:
    counts = report["counts"]
    return sum(
        counts[k] for k in ("creates", "updates", "deactivations", "new_schools", "renamed_schools")
    )


def _where(problem: dict[str, Any]) -> str:
    where = str(problem["file"]) + (f" line {problem['line']}" if problem["line"] else "")
    return where + (f" ({problem['field']})" if problem.get("field") else "")


def _show(report: dict[str, Any]) -> None:
    counts = report["counts"]
    click.echo(
        f"OneRoster {report['version']}: {counts['creates']} to add, {counts['updates']} to "
        f"update, {counts['deactivations']} to deactivate, {counts['unchanged']} unchanged; "
        f"{counts['new_schools']} new schools, {counts['renamed_schools']} renamed."
    )
    if report["skipped"]:
        skipped = ", ".join(f"{n} {role}" for role, n in report["skipped"].items())
        click.echo(f"Not imported: {skipped}.")
    for title, key in (("Add", "creates"), ("Update", "updates"), ("Deactivate", "deactivations")):
        people = report[key]
        for person in people[:SHOWN]:
            line = f"line {person['line']}: " if person["line"] else ""
            changes = f" ({', '.join(person['changes'])})" if key == "updates" else ""
            click.echo(f"  {title:<10} {line}{person['name']} <{person['email']}>{changes}")
        if len(people) > SHOWN:
            click.echo(f"  ... and {len(people) - SHOWN} more to {title.lower()}")
    for problem in report["errors"]:
        click.echo(f"  Problem    {_where(problem)}: {problem['message']}")
