"""Imported once by the process the local runner forks each invocation from.

Every invocation is a fresh process (so it can be killed at its function timeout),
but a Lambda environment serves many invocations with the clients it made once.
Making them here, before any fork, gives each invocation what a warm Lambda has
instead of a second of client creation on the way to ``playable``. Nothing here
runs ffmpeg or makes a request: a broken ffmpeg or an unreachable service must fail
an invocation (and be retried), never the runner.
"""

import app  # noqa: F401  (every handler's modules, and so every record type)
from chalicelib import aws
from chalicelib.config import get_settings
from chalicelib.db.base import table_connection

aws.warm_clients(get_settings())
table_connection().client  # noqa: B018  (transactions' client; each record type makes its own)
