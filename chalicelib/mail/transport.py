"""One ``send(message)`` for every mail system ClassReel uses.

- ``SmtpTransport``: the local twin's mail server on loopback (classreel/local/mail_server.py),
  which keeps every message under ``.classreel/mail/`` and refuses, as a real server does,
  recipients it has no mailbox for (any address at a ``.invalid`` name).
- ``SesTransport``: Amazon SES (API v2, the raw message as built here, so SES sends byte
  for byte what the local server shows), under the configuration set whose events report
  bounces and complaints later (chalicelib/notifications/feedback.py).

Both raise ``MailUnavailable`` when the mail system cannot take the message now (try
later); SMTP also raises ``MailRefused`` when the server refuses the address itself
(never try it again), which SES tells later, as a bounce event.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.config import Settings


class MailRefused(Exception):
    """The mail system refused the recipient's address: a hard bounce."""

    def __init__(self, address: str, detail: str) -> None:
        super().__init__(f"{address}: {detail}")
        self.address = address
        self.detail = detail


class MailUnavailable(Exception):
    """The mail system could not take the message now; sending again later may work."""


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


def recipients_of(message: EmailMessage) -> list[str]:
    return [address for _, address in getaddresses(message.get_all("To", []))]


class SmtpTransport:
    def __init__(self, host: str, port: int, timeout_s: float) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s

    def send(self, message: EmailMessage) -> None:
        if not self.port:
            raise MailUnavailable("No SMTP server is configured (CLASSREEL_SMTP_PORT)")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            address, (code, reply) = next(iter(exc.recipients.items()))
            if 500 <= code < 600:
                raise MailRefused(address, f"{code} {reply.decode(errors='replace')}") from exc
            raise MailUnavailable(f"{code} for {address}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise MailUnavailable(f"{type(exc).__name__}: {exc}") from exc


class SesTransport:
    def __init__(self, client: Any, configuration_set: str) -> None:
        self.client = client
        self.configuration_set = configuration_set

    def send(self, message: EmailMessage) -> None:
        arguments: dict[str, Any] = {
            "Destination": {"ToAddresses": recipients_of(message)},
            "Content": {"Raw": {"Data": message.as_bytes()}},
        }
        if self.configuration_set:
            arguments["ConfigurationSetName"] = self.configuration_set
        try:
            self.client.send_email(**arguments)
        except ClientError as exc:
            # Throttling, an identity not yet verified, the sandbox: nothing here says the
            # recipient's address is bad, so it is tried again (and a stuck queue alarms).
            # SES reports the addresses that bounce later, as events of the configuration set.
            code = exc.response.get("Error", {}).get("Code", "")
            raise MailUnavailable(code or str(exc)) from exc
        except BotoCoreError as exc:
            raise MailUnavailable(f"{type(exc).__name__}: {exc}") from exc


def transport(settings: Settings) -> Transport:
    if settings.email_transport == "ses":
        return SesTransport(aws.sesv2_client(settings), settings.ses_configuration_set)
    return SmtpTransport(settings.smtp_host, settings.smtp_port, settings.smtp_timeout_s)
