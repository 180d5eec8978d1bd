"""The local twin's mail server: real SMTP on 127.0.0.1, every message kept on disk.

`make run` (and the test stack) start it; the app sends to it exactly what it sends
to Amazon SES in AWS (chalicelib/mail/transport.py), and the local mail viewer
(`/local/mail` on the local API server, the web client's "Mail (local)" page) shows
what arrived. Like a real server it refuses, at RCPT, recipients it has no mailbox
for: any address at a ``.invalid`` name (RFC 2606 keeps those unresolvable), which
is how a bounce is tried locally. Nothing is relayed anywhere.
"""

from __future__ import annotations

import argparse
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from chalicelib.config import get_settings
from chalicelib.observability import logger
from classreel.local import mailbox

NO_SUCH_USER = "550 5.1.1 No such user here"


def refuses(address: str) -> bool:
    domain = address.rsplit("@", 1)[-1].strip().rstrip(".>").lower()
    return domain == "invalid" or domain.endswith(".invalid")


class KeepingHandler:
    """Accepts mail for every mailbox it can have, and keeps each message."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_RCPT(  # noqa: N802  (aiosmtpd calls its hooks by these names)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if refuses(address):
            return NO_SUCH_USER
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        message_id = mailbox.keep(
            self.directory,
            mailbox.Envelope(
                mail_from=str(envelope.mail_from or ""),
                rcpt_tos=[str(r) for r in envelope.rcpt_tos],
                received_at=datetime.now(UTC).isoformat(),
            ),
            content if isinstance(content, bytes) else content.encode(),
        )
        logger.info("mail kept", extra={"mail_id": message_id, "to": envelope.rcpt_tos})
        return "250 Message accepted for delivery"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The local twin's SMTP server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    directory = get_settings().local_mail_dir
    controller = Controller(KeepingHandler(directory), hostname=args.host, port=args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    logger.info("smtp listening", extra={"port": args.port, "dir": str(directory)})
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
