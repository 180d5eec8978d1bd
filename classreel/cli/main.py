"""`classreel`: local stack control, dev tokens, uploads and operator commands."""

from __future__ import annotations

import click

from classreel.cli.audit_cmd import audit
from classreel.cli.directory_cmd import directory
from classreel.cli.dlq_cmd import dlq
from classreel.cli.local_cmd import local
from classreel.cli.probe_cmd import probe
from classreel.cli.roster_cmd import roster
from classreel.cli.token_cmd import dev_token
from classreel.cli.upload_cmd import upload


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """ClassReel: classroom video coaching."""


cli.add_command(local)
cli.add_command(dev_token)
cli.add_command(upload)
cli.add_command(probe)
cli.add_command(audit)
cli.add_command(dlq)
cli.add_command(roster)
cli.add_command(directory)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
