"""What the local runner's invocations inherit: clients already made, as a warm Lambda has.

Each invocation forks from a process that imported ``classreel.local.warm_invocations``;
after that import, asking for the S3, SQS and DynamoDB clients must create nothing.
"""

from __future__ import annotations

import subprocess
import sys

from chalicelib.config import PROJECT_ROOT

CHECK = """
from unittest import mock
import boto3, botocore.session
import classreel.local.warm_invocations
from chalicelib import aws
from chalicelib.db.base import table_connection
made = mock.Mock(side_effect=AssertionError("a client was created after the warm-up"))
with mock.patch.object(boto3.session.Session, "client", made), \\
        mock.patch.object(botocore.session.Session, "create_client", made):
    aws.s3_client(); aws.sqs_client(); aws.dynamodb_client(); table_connection().client
print("warm")
"""


def test_after_the_warm_up_no_client_is_created() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.strip().endswith("warm"), result.stderr
