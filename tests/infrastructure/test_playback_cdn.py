"""Playback in AWS: /media/* on the web distribution, open only to signed cookies.

The distribution serves the media bucket through origin access control with a
trusted key group; the key pair is made at deploy time into a secret that only
the API reads; the API learns the key pair id and secret from settings that
chalicelib/config.py declares. The edge code (CloudFront Functions) and the key
maker (a Node.js custom resource) run here under node with stand-ins for
CloudFront's event and the AWS SDK.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.config import Settings
from chalicelib.playback.paths import MEDIA_ROOT, VIEWER_ORIGIN_HEADER
from chalicelib.playback.signing import PlaybackSigner
from infrastructure.constructs.playback_keys import _KEY_PAIR_CODE
from infrastructure.constructs.web import _MEDIA_KEY, _PASS_VIEWER_ORIGIN
from tests.infrastructure.conftest import Synthesized

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node runs the edge code")


def _only(synthesized: Synthesized, kind: str) -> tuple[str, dict[str, Any]]:
    (found,) = synthesized.resources(kind).items()
    return found


def _behavior(synthesized: Synthesized, pattern: str) -> dict[str, Any]:
    _, distribution = _only(synthesized, "AWS::CloudFront::Distribution")
    behaviors = distribution["Properties"]["DistributionConfig"]["CacheBehaviors"]
    (found,) = [b for b in behaviors if b["PathPattern"] == pattern]
    return dict(found)


def _origin(synthesized: Synthesized, origin_id: str) -> dict[str, Any]:
    _, distribution = _only(synthesized, "AWS::CloudFront::Distribution")
    (found,) = [
        o
        for o in distribution["Properties"]["DistributionConfig"]["Origins"]
        if o["Id"] == origin_id
    ]
    return dict(found)


def _media_bucket_id(synthesized: Synthesized) -> str:
    for logical_id, bucket in synthesized.resources("AWS::S3::Bucket").items():
        if "-media-" in json.dumps(bucket["Properties"].get("BucketName")):
            return logical_id
    raise AssertionError("no media bucket")


def test_media_is_served_from_the_media_bucket_only_to_signed_cookies(
    synthesized: Synthesized,
) -> None:
    media = _behavior(synthesized, f"{MEDIA_ROOT}*")
    key_group_id, _ = _only(synthesized, "AWS::CloudFront::KeyGroup")
    assert media["TrustedKeyGroups"] == [{"Ref": key_group_id}]
    assert media["ViewerProtocolPolicy"] == "https-only"
    assert media["AllowedMethods"] == ["GET", "HEAD"]
    origin = _origin(synthesized, media["TargetOriginId"])
    assert origin["DomainName"] == {
        "Fn::GetAtt": [_media_bucket_id(synthesized), "RegionalDomainName"]
    }
    (oac_id, attribute) = origin["OriginAccessControlId"]["Fn::GetAtt"]
    oac = synthesized.resources("AWS::CloudFront::OriginAccessControl")[oac_id]
    assert attribute == "Id"
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    (association,) = media["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"


def test_the_media_bucket_lets_this_distribution_read_playback_and_nothing_else(
    synthesized: Synthesized,
) -> None:
    media_id = _media_bucket_id(synthesized)
    distribution_id, _ = _only(synthesized, "AWS::CloudFront::Distribution")
    grants = [
        statement
        for policy in synthesized.resources("AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": media_id}
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]
    (grant,) = grants
    assert grant["Action"] == "s3:GetObject"
    objects = sorted(json.dumps(r) for r in grant["Resource"])
    assert [o.rsplit('"', 2)[-2] for o in objects] == ["/clips/*", "/videos/*"]
    source = json.dumps(grant["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert f'":distribution/", {{"Ref": "{distribution_id}"}}' in source


def test_the_api_signs_with_the_trusted_key_and_alone_reads_it(synthesized: Synthesized) -> None:
    public_key_id, public_key = _only(synthesized, "AWS::CloudFront::PublicKey")
    secret_id, _ = _only(synthesized, "AWS::SecretsManager::Secret")
    _, key_group = _only(synthesized, "AWS::CloudFront::KeyGroup")
    assert key_group["Properties"]["KeyGroupConfig"]["Items"] == [{"Ref": public_key_id}]
    (maker_id, maker) = _only(synthesized, "Custom::PlaybackKeyPair")
    assert maker["Properties"]["SecretId"] == {"Ref": secret_id}
    assert public_key["Properties"]["PublicKeyConfig"]["EncodedKey"] == {
        "Fn::GetAtt": [maker_id, "PublicKey"]
    }
    functions = synthesized.functions()
    variables = functions["classreel-dev-api"]["Properties"]["Environment"]["Variables"]
    assert variables["CLASSREEL_PLAYBACK_KEY_PAIR_ID"] == {"Ref": public_key_id}
    assert variables["CLASSREEL_PLAYBACK_PRIVATE_KEY_SECRET"] == {"Ref": secret_id}
    for name in ("CLASSREEL_PLAYBACK_KEY_PAIR_ID", "CLASSREEL_PLAYBACK_PRIVATE_KEY_SECRET"):
        assert name.removeprefix("CLASSREEL_").lower() in Settings.model_fields
    # The origin comes from each request (the distribution's domain or an alias).
    assert "CLASSREEL_PLAYBACK_ORIGIN" not in variables

    readers = set()
    for role_id, role in synthesized.resources("AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                if "secretsmanager:GetSecretValue" in json.dumps(statement["Action"]):
                    assert statement["Resource"] == {"Ref": secret_id}
                    readers.add(role_id)
    api_role = functions["classreel-dev-api"]["Properties"]["Role"]["Fn::GetAtt"][0]
    assert readers == {api_role}


def test_the_api_learns_the_viewers_origin_from_the_distribution(
    synthesized: Synthesized,
) -> None:
    api = _behavior(synthesized, "/api/*")
    (association,) = api["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function_id = association["FunctionARN"]["Fn::GetAtt"][0]
    code = synthesized.document["Resources"][function_id]["Properties"]["FunctionCode"]
    assert VIEWER_ORIGIN_HEADER in code


def _node(script: str) -> Any:
    assert NODE is not None
    result = subprocess.run(
        [NODE, "-e", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _viewer_request(code: str, uri: str) -> dict[str, Any]:
    event = {"request": {"uri": uri, "headers": {"host": {"value": "d1.cloudfront.net"}}}}
    found: dict[str, Any] = _node(
        f"{code}\nprocess.stdout.write(JSON.stringify(handler({json.dumps(event)})));"
    )
    return found


@needs_node
@pytest.mark.parametrize(
    ("uri", "key"),
    [
        ("/media/videos/v1/j1/hls/master.m3u8", "/videos/v1/j1/hls/master.m3u8"),
        ("/media/clips/c1/a1/hls/720p/seg_00001.m4s", "/clips/c1/a1/hls/720p/seg_00001.m4s"),
        ("/media/exports/u1/export.zip", None),
        ("/media/videosx/v1/x", None),
        ("/media/", None),
    ],
)
def test_media_paths_become_bucket_keys_of_videos_and_clips_only(uri: str, key: str | None) -> None:
    answer = _viewer_request(_MEDIA_KEY, uri)
    if key is None:
        assert answer["statusCode"] == 404
    else:
        assert answer["uri"] == key


@needs_node
def test_the_viewer_origin_is_the_host_the_viewer_asked() -> None:
    answer = _viewer_request(_PASS_VIEWER_ORIGIN, "/api/videos/v1/playback")
    assert answer["headers"][VIEWER_ORIGIN_HEADER] == {"value": "https://d1.cloudfront.net"}


# The custom resource's handler, with Secrets Manager and CloudFormation's
# response URL replaced by stand-ins that record what the code did.
_KEY_MAKER_HARNESS = """
const Module = require("module");
const https = require("https");
const store = { SecretString: "random-initial-value" };
const puts = [];
class Command { constructor(input) { this.input = input; } }
class GetSecretValueCommand extends Command {}
class PutSecretValueCommand extends Command {}
class SecretsManagerClient {
  async send(command) {
    if (command instanceof GetSecretValueCommand) return { ...store };
    store.SecretString = command.input.SecretString;
    puts.push(command.input.SecretId);
    return {};
  }
}
const sdk = { SecretsManagerClient, GetSecretValueCommand, PutSecretValueCommand };
const load = Module._load;
Module._load = function (name, ...rest) {
  return name === "@aws-sdk/client-secrets-manager" ? sdk : load.call(this, name, ...rest);
};
const responses = [];
https.request = (url, options, done) => ({
  on() {},
  end(body) {
    responses.push(JSON.parse(body));
    done({ resume() {}, on(event, listener) { if (event === "end") listener(); } });
  },
});
const module_ = { exports: {} };
new Function("require", "exports", "module", CODE)(require, module_.exports, module_);
const event = (type) => ({
  RequestType: type, ResponseURL: "https://cloudformation.invalid/response",
  StackId: "stack", RequestId: type, LogicalResourceId: "KeyPair",
  ResourceProperties: { SecretId: "arn:secret" },
});
(async () => {
  for (const type of ["Create", "Update", "Delete"]) {
    await module_.exports.handler(event(type), { logStreamName: "stream" });
  }
  process.stdout.write(JSON.stringify({ responses, puts, stored: store.SecretString }));
})();
"""


@needs_node
def test_the_key_maker_makes_one_key_pair_and_keeps_it() -> None:
    found = _node(_KEY_MAKER_HARNESS.replace("CODE", json.dumps(_KEY_PAIR_CODE)))
    created, updated, deleted = found["responses"]
    assert [r["Status"] for r in found["responses"]] == ["SUCCESS"] * 3
    assert {r["PhysicalResourceId"] for r in found["responses"]} == {"arn:secret"}
    # Made once, on create; an update keeps it, so issued cookies stay valid.
    assert found["puts"] == ["arn:secret"]
    assert created["Data"]["PublicKey"] == updated["Data"]["PublicKey"]
    assert deleted["Data"] == {}
    private = serialization.load_pem_private_key(found["stored"].encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey) and private.key_size == 2048
    public = serialization.load_pem_public_key(created["Data"]["PublicKey"].encode())
    assert public.public_numbers() == private.public_key().public_numbers()  # type: ignore[union-attr]
    # What the API does with the secret (chalicelib/playback/keys.py).
    PlaybackSigner.from_pem("K1", found["stored"].encode())
