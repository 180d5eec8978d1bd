"""One origin for the browser: the web client's files, the API under /api, media under /media.

Locally the API server also serves web/ and /media/. In AWS a CloudFront
distribution does all three: static files from a private bucket (origin access
control, no public bucket); ``/api/*`` forwarded uncached to the REST API's
``api`` stage, so the client calls ``/api/...`` on its own origin (no CORS,
tokens never sent to a third host); and ``/media/*`` from the private media
bucket (origin access control again), only for requests carrying playback
cookies signed by a key of the playback key group (chalicelib/playback/). The
cookies are set by ``POST /api/.../playback`` on this same host, so they are
host-only, ``Secure`` and ``SameSite=Strict`` with no domain to agree on. The
files are uploaded by ``make deploy`` (docs/deploy.md).

Every response carries the security headers of chalicelib/api/web_security.py
(the local API server sends the same ones): a Content-Security-Policy that allows
only the client's own bundle and the origins it talks to, HSTS, nosniff, no
framing, no referrer, no powerful features.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from aws_cdk import Annotations, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from chalicelib.api import web_security
from chalicelib.playback.paths import MEDIA_ROOT, SERVED_PREFIXES, VIEWER_ORIGIN_HEADER
from infrastructure.nag import suppress

# Chalice's API Gateway stage: the REST API answers under /api/.
API_PATH_PATTERN = "/api/*"
MEDIA_PATH_PATTERN = f"{MEDIA_ROOT}*"

# Viewer-request code (CloudFront Functions, JavaScript 2.0). The viewer's Host
# never reaches API Gateway (it routes by its own), so it travels as a header.
_PASS_VIEWER_ORIGIN = f"""
function handler(event) {{
  var request = event.request;
  request.headers["{VIEWER_ORIGIN_HEADER}"] = {{ value: "https://" + request.headers.host.value }};
  return request;
}}
"""
# /media/{key} is the bucket's {key}: the prefix goes before the origin sees it.
# CloudFront checks the cookies against the URL the viewer asked for, which is
# what the cookies' policy names (docs/deploy.md: a first deployment confirms it).
# Anything but a video's or clip's folder is not served, whatever a bucket allows.
_MEDIA_KEY = f"""
var SERVED = {json.dumps(list(SERVED_PREFIXES))};
function handler(event) {{
  var request = event.request;
  var key = request.uri.substring({len(MEDIA_ROOT)});
  for (var i = 0; i < SERVED.length; i++) {{
    if (key.indexOf(SERVED[i]) === 0) {{
      request.uri = "/" + key;
      return request;
    }}
  }}
  return {{ statusCode: 404, statusDescription: "Not Found" }};
}}
"""


class WebDistribution(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api_domain: str,
        access_logs: s3.IBucket,
        comment: str,
        connect_origins: Sequence[str],
        media_origins: Sequence[str],
        media: s3.IBucket,
        playback_keys: cloudfront.IKeyGroup,
    ) -> None:
        """``connect_origins``: where the client sends requests besides its own origin
        (the hosted UI, the uploads bucket); ``media_origins``: where presigned links
        (posters, sprites, downloads) come from (the media bucket); ``media`` is served
        under /media/ to holders of cookies signed by a key of ``playback_keys``."""
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
        self.headers = self._security_headers(connect_origins, media_origins)
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=comment,
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=self.headers,
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
                    response_headers_policy=self.headers,
                    function_associations=[
                        self._viewer_function("ViewerOrigin", _PASS_VIEWER_ORIGIN)
                    ],
                ),
                MEDIA_PATH_PATTERN: cloudfront.BehaviorOptions(
                    origin=self._media_origin(media),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                    # Only signed cookies get through; CloudFront checks them itself.
                    trusted_key_groups=[playback_keys],
                    # Cookies stay out of the cache key (CloudFront checks them before
                    # the cache); objects keep the Cache-Control the workers wrote.
                    cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                    response_headers_policy=self.headers,
                    function_associations=[self._viewer_function("MediaKey", _MEDIA_KEY)],
                ),
            },
        )
        self._grant_media_prefixes(media)
        self._acknowledge_edge_rules()

    def _media_origin(self, media: s3.IBucket) -> cloudfront.IOrigin:
        # Given a stand-in, CDK leaves the real bucket's policy alone; it would
        # grant the whole bucket, exports included (_grant_media_prefixes does less).
        stand_in = s3.Bucket.from_bucket_attributes(
            self,
            "MediaOrigin",
            bucket_arn=media.bucket_arn,
            bucket_regional_domain_name=media.bucket_regional_domain_name,
        )
        Annotations.of(self).acknowledge_warning(
            "@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac",
            "The media bucket's policy grants the distribution its served prefixes below.",
        )
        return origins.S3BucketOrigin.with_origin_access_control(
            stand_in, origin_access_levels=[cloudfront.AccessLevel.READ]
        )

    def _grant_media_prefixes(self, media: s3.IBucket) -> None:
        """This distribution (and no other) may read what playback serves, nothing else."""
        media.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudFrontReadsPlayback",
                principals=[iam.ServicePrincipal("cloudfront.amazonaws.com")],
                actions=["s3:GetObject"],
                resources=[media.arn_for_objects(f"{prefix}*") for prefix in SERVED_PREFIXES],
                conditions={
                    "StringEquals": {
                        "AWS:SourceArn": Stack.of(self).format_arn(
                            service="cloudfront",
                            region="",
                            resource="distribution",
                            resource_name=self.distribution.distribution_id,
                        )
                    }
                },
            )
        )

    def _viewer_function(self, construct_id: str, code: str) -> cloudfront.FunctionAssociation:
        function = cloudfront.Function(
            self,
            construct_id,
            code=cloudfront.FunctionCode.from_inline(code),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        return cloudfront.FunctionAssociation(
            function=function, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
        )

    def _security_headers(
        self, connect_origins: Sequence[str], media_origins: Sequence[str]
    ) -> cloudfront.ResponseHeadersPolicy:
        policy = web_security.content_security_policy(
            connect=connect_origins, media=media_origins, https_only=True
        )
        custom = {
            "Permissions-Policy": web_security.PERMISSIONS_POLICY,
            "Cross-Origin-Opener-Policy": web_security.CROSS_ORIGIN_OPENER_POLICY,
            "Cross-Origin-Resource-Policy": web_security.CROSS_ORIGIN_RESOURCE_POLICY,
        }
        return cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="ClassReel: CSP, HSTS and the other security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=policy, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.seconds(web_security.HSTS_MAX_AGE_S),
                    include_subdomains=True,
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                # The legacy XSS auditor is off ("0"): the CSP does that job.
                xss_protection=cloudfront.ResponseHeadersXSSProtection(
                    protection=False, override=True
                ),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(header=name, value=value, override=True)
                    for name, value in custom.items()
                ]
            ),
        )

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
            "The API behind /api has its own regional web ACL on its stage (constructs/"
            "firewall.py: anonymous floods, AWS's common rules); the static files and the "
            "signed-cookie media need none, and a second ACL would bill twice per request.",
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
