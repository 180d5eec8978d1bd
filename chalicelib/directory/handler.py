"""The sign-in accounts queue's batch entry point: Cognito users made to match the directory.

Each message names people of one district (chalicelib/directory/accounts.py
``QueuedAccounts`` sends them after the directory changed); they are read from the
directory as they are now, so a message that waited, or comes twice, still leaves each
user as the directory says.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.config import Settings
from chalicelib.directory.accounts import ACCOUNTS_QUEUE, cognito_accounts
from chalicelib.directory.models import PersonRecord
from chalicelib.directory.schemas import SignInAccountsJob
from chalicelib.jobs.batch import Delivery, consume, parse_model
from chalicelib.jobs.retry import RetryLater

# Cognito throttled us (its request rates are per pool, shared with everyone signing in):
# try the message again in a minute rather than after the whole visibility timeout.
THROTTLED_RETRY_S = 60
_THROTTLED = "TooManyRequestsException"


def people(district: str, person_ids: list[str]) -> list[PersonRecord]:
    """The named people as the directory has them now, in the message's order."""
    keys = [PersonRecord.key(district, person_id) for person_id in dict.fromkeys(person_ids)]
    found = {p.person_id: p for p in PersonRecord.batch_get(keys, consistent_read=True)}
    return [found[person_id] for person_id in dict.fromkeys(person_ids) if person_id in found]


def _reconcile(delivery: Delivery[SignInAccountsJob], settings: Settings) -> str:
    job = delivery.message
    if settings.sign_in_accounts != "cognito":
        # A stage that only federates (infrastructure/: passwordSignIn=false) keeps none.
        return "this stage keeps no password accounts"
    accounts = cognito_accounts(settings)
    outcomes = []
    try:
        for person in people(job.district, job.person_ids):
            outcomes.append(f"{person.person_id}: {accounts.reconcile(person)}")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == _THROTTLED:
            raise RetryLater(THROTTLED_RETRY_S) from exc
        raise
    return "; ".join(outcomes) or "nobody left to reconcile"


def handle_accounts_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(
        event,
        context,
        queue_key=ACCOUNTS_QUEUE,
        parse=parse_model(SignInAccountsJob),
        handle=_reconcile,
    )
