"""One origin for the browser: the web client's files, and the API under /api.

Locally the API server also serves web/. In AWS a CloudFront distribution does
both: static files from a private bucket (origin access control, no public
bucket), and ``/api/*`` forwarded uncached to the REST API's ``api`` stage, so
the client calls ``/api/...`` on its own origin (no CORS, tokens never sent to
a third host). The files are uploaded by ``make deploy`` (docs/deploy.md).
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infrastructure.nag import suppress

# Chalice's API Gateway stage: the REST API answers under /api/.
API_PATH_PATTERN = "/api/*"


class WebDistribution(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api_domain: str,
        access_logs: s3.IBucket,
        comment: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Files",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="web/",
            # Only build output lives here: `make deploy` uploads it again.
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=comment,
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            ),
            additional_behaviors={
                API_PATH_PATTERN: cloudfront.BehaviorOptions(
                    origin=origins.HttpOrigin(
                        api_domain, protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY
                    ),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    # Everything but Host: API Gateway routes by its own host name,
                    # and the Authorization header must reach the API.
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                )
            },
        )
        self._acknowledge_edge_rules()

    def _acknowledge_edge_rules(self) -> None:
        suppress(
            self.distribution,
            "AwsSolutions-CFR1",
            "Teachers and coaches sign in from wherever they work, travel included; access "
            "is decided by Cognito accounts and per-video authorization, not by country.",
        )
        suppress(
            self.distribution,
            "AwsSolutions-CFR2",
            "No WAF web ACL by default (about $6/month before requests): every API route "
            "but /health needs a Cognito token; add a web ACL per district if required.",
        )
        suppress(
            self.distribution,
            "AwsSolutions-CFR3",
            "API calls are logged by API Gateway access logs and the app's own logs; the "
            "static files carry no user data, and CloudFront's legacy logging needs ACLs "
            "that these buckets disable.",
        )
        suppress(
            self.distribution,
            "AwsSolutions-CFR4",
            "Until a district domain and ACM certificate are configured the distribution "
            "uses the cloudfront.net certificate, whose policy CloudFront fixes at TLSv1; "
            "TLS_V1_2_2021 applies once a custom certificate is attached.",
        )

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"
