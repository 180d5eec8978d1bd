"""In AWS the directory keeps the user pool's password accounts in step: a directory change
(from the API: admins' edits and roster imports) stores an event naming the people it
touched, the relay that delivers it (the API right after the change, else the relay
functions) queues them, and the sign-in accounts worker reconciles their Cognito users, with
exactly the Cognito calls its code makes, on this stage's pool only."""

from __future__ import annotations

import ast
import re
from typing import Any

from chalicelib.config import PROJECT_ROOT
from infrastructure.constructs.identity import ACCOUNT_ACTIONS
from tests.infrastructure.conftest import Synthesized

API = "classreel-dev-api"
WORKER = "classreel-dev-sync-sign-in-accounts"
RELAYS = ("classreel-dev-relay-events", "classreel-dev-relay-outbox")
ACCOUNTS_CODE = PROJECT_ROOT / "chalicelib" / "directory" / "accounts.py"


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def _pool_id(synthesized: Synthesized) -> str:
    (pool_id,) = synthesized.resources("AWS::Cognito::UserPool")
    return pool_id


def test_the_api_and_the_worker_keep_this_pools_accounts(synthesized: Synthesized) -> None:
    for function in (API, WORKER, *RELAYS):
        variables = synthesized.variables(function)
        assert variables["CLASSREEL_SIGN_IN_ACCOUNTS"] == "cognito", function
        assert variables["CLASSREEL_COGNITO_USER_POOL_ID"] == {"Ref": _pool_id(synthesized)}
    others = set(synthesized.functions()) - {API, WORKER, *RELAYS}
    for function in others:
        assert "CLASSREEL_SIGN_IN_ACCOUNTS" not in synthesized.variables(function), function


def test_only_the_worker_may_change_users_and_only_of_this_pool(synthesized: Synthesized) -> None:
    for function in synthesized.functions():
        cognito = [
            s for s in synthesized.role_statements(function) if _actions(s)[0].startswith("cognito")
        ]
        if function != WORKER:
            assert cognito == [], function
            continue
        (statement,) = cognito
        assert sorted(_actions(statement)) == sorted(ACCOUNT_ACTIONS)
        assert statement["Resource"] == {"Fn::GetAtt": [_pool_id(synthesized), "Arn"]}


def test_the_granted_actions_are_the_calls_the_code_makes() -> None:
    """Every ``self._client.<call>(...)`` of CognitoAccounts is granted, and nothing else."""
    calls = set()
    for node in ast.walk(ast.parse(ACCOUNTS_CODE.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "_client"
        ):
            calls.add(node.func.attr)
    granted = {
        re.sub(r"(?<!^)(?=[A-Z])", "_", action.removeprefix("cognito-idp:")).lower()
        for action in ACCOUNT_ACTIONS
    }
    assert calls == granted


def test_the_relays_queue_people_and_the_worker_reads_them(synthesized: Synthesized) -> None:
    (queue_id,) = [
        logical_id
        for logical_id, queue in synthesized.resources("AWS::SQS::Queue").items()
        if queue["Properties"]["QueueName"] == "classreel-dev-sign-in-accounts"
    ]
    for function in (API, *RELAYS):
        (send,) = [
            s for s in synthesized.role_statements(function) if s["Sid"] == "QueueSignInAccounts"
        ]
        assert _actions(send) == ["sqs:SendMessage"], function
        assert synthesized.logical_id(send["Resource"]) == queue_id
    (read,) = [s for s in synthesized.role_statements(WORKER) if s["Sid"] == "ReadPeople"]
    assert _actions(read) == ["dynamodb:BatchGetItem"]
    worker_actions = {a for s in synthesized.role_statements(WORKER) for a in _actions(s)}
    assert not any(a.startswith("s3:") for a in worker_actions)
    assert not {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} & worker_actions
