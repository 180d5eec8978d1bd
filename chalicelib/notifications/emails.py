"""The emails themselves: a plain-text and an HTML part from the templates beside this file.

What an email says is the notification's headline (titles, people's names, the
moment) and links into ClassReel; never what a comment says, nor a rejection's
reason (both stay in the inbox, behind sign-in). Every value put into the HTML
part is escaped. Each email carries the headers mail clients need for a
one-click unsubscribe (RFC 8058), and a Message-ID derived from what it is
about, so a mail client shows a message sent twice as one.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import cache
from importlib import resources
from string import Template

from chalicelib.config import Settings
from chalicelib.notifications import links

SUBJECT_MAX = 120
NOTIFICATION_REASON = "You get this email because of your notification preferences."
DIGEST_REASON = "You get one email a day because of your notification preferences."


@cache
def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath("templates", name).read_text())


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Entry:
    """One notification as an email shows it."""

    headline: str
    web_path: str


@dataclass(frozen=True)
class Addressee:
    address: str
    name: str | None
    unsubscribe_token: str


def _subject(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= SUBJECT_MAX else one_line[: SUBJECT_MAX - 1] + "…"


def _html(subject: str, body: str, reason: str, settings: Settings, token: str) -> str:
    return _template("layout.html").substitute(
        subject=html.escape(subject),
        body=body,
        reason=html.escape(reason),
        preferences_url=html.escape(links.page(settings, "#/settings/notifications")),
        unsubscribe_url=html.escape(links.unsubscribe_page(settings, token)),
    )


def notification_letter(entry: Entry, settings: Settings, token: str) -> Letter:
    common = {
        "open_url": links.page(settings, entry.web_path),
        "preferences_url": links.page(settings, "#/settings/notifications"),
        "unsubscribe_url": links.unsubscribe_page(settings, token),
    }
    subject = _subject(entry.headline)
    body = _template("notification.html").substitute(
        headline=html.escape(entry.headline), open_url=html.escape(common["open_url"])
    )
    return Letter(
        subject=subject,
        text=_template("notification.txt").substitute(headline=entry.headline, **common),
        html=_html(subject, body, NOTIFICATION_REASON, settings, token),
    )


def digest_letter(entries: list[Entry], settings: Settings, token: str) -> Letter:
    inbox = links.page(settings, "#/inbox")
    count = str(len(entries))
    text_items = "".join(f"- {e.headline}\n  {links.page(settings, e.web_path)}\n" for e in entries)
    html_items = "\n".join(
        f'      <li><a href="{html.escape(links.page(settings, e.web_path))}">'
        f"{html.escape(e.headline)}</a></li>"
        for e in entries
    )
    subject = f"ClassReel: {count} update{'s' if len(entries) != 1 else ''} for you today"
    body = _template("digest.html").substitute(
        count=count, items=html_items, inbox_url=html.escape(inbox)
    )
    return Letter(
        subject=subject,
        text=_template("digest.txt").substitute(
            count=count,
            items=text_items,
            inbox_url=inbox,
            preferences_url=links.page(settings, "#/settings/notifications"),
            unsubscribe_url=links.unsubscribe_page(settings, token),
        ),
        html=_html(subject, body, DIGEST_REASON, settings, token),
    )


def message(
    letter: Letter, to: Addressee, *, about: str, sent_at: datetime, settings: Settings
) -> EmailMessage:
    """``about``: what the email is about (a notification's or a digest's id)."""
    email = EmailMessage()
    email["Subject"] = letter.subject
    email["From"] = settings.email_from
    email["To"] = formataddr((to.name or "", to.address))
    email["Date"] = format_datetime(sent_at)
    email["Message-ID"] = f"<{about}@classreel>"
    email["Auto-Submitted"] = "auto-generated"
    email["List-Unsubscribe"] = f"<{links.one_click_unsubscribe(settings, to.unsubscribe_token)}>"
    email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(letter.text)
    email.add_alternative(letter.html, subtype="html")
    return email
