"""The key pair that playback cookies are signed with: made at deploy time, private half kept
in Secrets Manager, public half in a CloudFront key group.

chalicelib/playback/keys.py reads the private key from the secret named by
``CLASSREEL_PLAYBACK_PRIVATE_KEY_SECRET`` and signs with the id in
``CLASSREEL_PLAYBACK_KEY_PAIR_ID`` (the CloudFront public key's id); CloudFront
lets a ``/media/*`` request through only with cookies signed by a key of the
group. No key ever passes through a developer's machine or the template.

The key is made by a small custom resource (Node.js: its ``crypto`` module
makes RSA keys and its AWS SDK ships with the runtime, so there is nothing to
bundle). It is idempotent: a secret that already holds a private key keeps it,
so updates of the stack keep every issued cookie valid.
"""

from __future__ import annotations

from aws_cdk import CfnResource, CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infrastructure.nag import suppress

# CloudFront accepts RSA keys of 2048 bits for key groups (and signs with SHA1 over them).
_KEY_PAIR_CODE = """
const crypto = require("crypto");
const https = require("https");
const sm = require("@aws-sdk/client-secrets-manager");
const secrets = new sm.SecretsManagerClient({});

// The secret starts as a random string (Secrets Manager's default); replace it
// with a private key once, then derive the public half from what is stored.
async function publicKey(secretId) {
  const found = await secrets.send(new sm.GetSecretValueCommand({ SecretId: secretId }));
  let pem = found.SecretString || "";
  if (!pem.includes("-----BEGIN PRIVATE KEY-----")) {
    const pair = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    pem = pair.privateKey.export({ type: "pkcs8", format: "pem" });
    await secrets.send(new sm.PutSecretValueCommand({ SecretId: secretId, SecretString: pem }));
  }
  return crypto.createPublicKey(pem).export({ type: "spki", format: "pem" });
}

function respond(event, status, reason, data) {
  const body = JSON.stringify({
    Status: status,
    Reason: reason,
    PhysicalResourceId: event.ResourceProperties.SecretId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  });
  return new Promise((resolve, reject) => {
    const request = https.request(event.ResponseURL, {
      method: "PUT",
      headers: { "Content-Type": "", "Content-Length": Buffer.byteLength(body) },
    }, (response) => { response.resume(); response.on("end", resolve); });
    request.on("error", reject);
    request.end(body);
  });
}

exports.handler = async (event, context) => {
  try {
    // Deleting keeps nothing to undo: the secret goes with the stack.
    const data = event.RequestType === "Delete"
      ? {} : { PublicKey: await publicKey(event.ResourceProperties.SecretId) };
    await respond(event, "SUCCESS", "", data);
  } catch (error) {
    console.error(error);
    await respond(event, "FAILED", `see ${context.logStreamName}`, {});
  }
};
"""


class PlaybackKeys(Construct):
    """The secret, the key pair made into it, and the key group CloudFront trusts."""

    def __init__(self, scope: Construct, construct_id: str, *, secret_name: str) -> None:
        super().__init__(scope, construct_id)
        self.secret = secretsmanager.Secret(
            self,
            "PrivateKey",
            secret_name=secret_name,
            description="ClassReel: private key that signs playback cookies (CloudFront)",
            # The key goes with the stack: cookies signed by it die with the distribution.
            removal_policy=RemovalPolicy.DESTROY,
        )
        suppress(
            self.secret,
            "AwsSolutions-SMG4",
            "A playback signing key is rotated by adding a second public key to the key "
            "group, switching the API to it and removing the first after the longest cookie "
            "lifetime (docs/deploy.md); Secrets Manager's rotation cannot do those steps.",
        )
        maker = self._key_maker()
        made = CustomResource(
            self,
            "KeyPair",
            service_token=maker.function_arn,
            resource_type="Custom::PlaybackKeyPair",
            properties={"SecretId": self.secret.secret_arn},
        )
        self.public_key = cloudfront.PublicKey(
            self,
            "PublicKey",
            encoded_key=made.get_att_string("PublicKey"),
            comment="ClassReel playback cookies",
        )
        self.key_group = cloudfront.KeyGroup(
            self, "KeyGroup", items=[self.public_key], comment="ClassReel playback cookies"
        )

    def _key_maker(self) -> lambda_.Function:
        role = iam.Role(
            self,
            "KeyMakerRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Makes the playback key pair into its secret",
        )
        log_group = logs.LogGroup(
            self,
            "KeyMakerLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Its own logs and its one secret, nothing else (no managed policy).
        log_group.grant_write(role)
        self.secret.grant_read(role)
        self.secret.grant_write(role)
        function = lambda_.Function(
            self,
            "KeyMaker",
            runtime=lambda_.Runtime.NODEJS_LATEST,
            handler="index.handler",
            code=lambda_.Code.from_inline(_KEY_PAIR_CODE),
            timeout=Duration.minutes(1),
            memory_size=256,
            role=role,
            log_group=log_group,
            description="ClassReel: makes the playback key pair (custom resource)",
        )
        # It must not run before its grants exist; CDK also writes DependsOn the role
        # beside GetAtt of the same role (cfn-lint W3005), so only the grants stay.
        grants = role.node.find_child("DefaultPolicy").node.default_child
        resource = function.node.default_child
        if isinstance(grants, CfnResource) and isinstance(resource, CfnResource):
            resource.add_override("DependsOn", [Stack.of(self).get_logical_id(grants)])
        return function

    def environment(self) -> dict[str, str]:
        """What the API signs cookies with (chalicelib/config.py reads these)."""
        return {
            "CLASSREEL_PLAYBACK_KEY_PAIR_ID": self.public_key.public_key_id,
            "CLASSREEL_PLAYBACK_PRIVATE_KEY_SECRET": self.secret.secret_arn,
        }

    def read_statement(self) -> iam.PolicyStatement:
        """The API's permission to read the private key, and nothing else of Secrets Manager."""
        return iam.PolicyStatement(
            sid="ReadPlaybackKey",
            actions=["secretsmanager:GetSecretValue"],
            resources=[self.secret.secret_arn],
        )
