"""CloudFront sends CSP, HSTS and the other security headers on every response."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.api import web_security
from tests.infrastructure.conftest import Synthesized


def _policy(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    (policy_id, policy) = next(
        iter(synthesized.resources("AWS::CloudFront::ResponseHeadersPolicy").items())
    )
    return policy_id, policy["Properties"]["ResponseHeadersPolicyConfig"]


def _text(value: Any) -> str:
    """A CloudFormation string (maybe a Fn::Join) as text, references as ``<Id.Attr>``."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_text(part) for part in parts)
    if "Ref" in value:
        return f"<{value['Ref']}>"
    if "Fn::GetAtt" in value:
        return "<{}.{}>".format(*value["Fn::GetAtt"])
    return json.dumps(value)


def _directives(csp: str) -> dict[str, list[str]]:
    found = {}
    for directive in csp.split(";"):
        name, *values = directive.split()
        found[name] = values
    return found


def test_every_behavior_carries_the_security_headers(synthesized: Synthesized) -> None:
    policy_id, _ = _policy(synthesized)
    (distribution,) = synthesized.resources("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert {b.get("PathPattern", "*") for b in behaviors} == {"*", "/api/*", "/media/*"}
    for behavior in behaviors:
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": policy_id}


def test_the_content_security_policy_allows_only_what_the_client_uses(
    synthesized: Synthesized,
) -> None:
    _, config = _policy(synthesized)
    security = config["SecurityHeadersConfig"]
    assert security["ContentSecurityPolicy"]["Override"] is True
    csp = _text(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    directives = _directives(csp)
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]  # the bundle, Uppy included
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert "upgrade-insecure-requests" in directives
    (pool_domain,) = synthesized.resources("AWS::Cognito::UserPoolDomain")
    buckets = synthesized.resources("AWS::S3::Bucket")
    uploads = next(i for i, b in buckets.items() if "uploads" in json.dumps(b["Properties"]))
    media = next(i for i, b in buckets.items() if "-media" in json.dumps(b["Properties"]))
    connect = " ".join(directives["connect-src"])
    # The hosted UI's token endpoint, the presigned uploads, the WebVTT of storyboards.
    assert f"https://<{pool_domain}>.auth." in connect
    assert f"https://<{uploads}.DomainName>" in connect
    assert f"https://<{uploads}.RegionalDomainName>" in connect
    assert f"https://<{media}.RegionalDomainName>" in connect
    for name in ("img-src", "media-src"):
        assert f"https://<{media}.DomainName>" in directives[name]
        assert not any(uploads in value for value in directives[name])
    # CloudFront's limit on the header (CSP longer than this fails at deploy time).
    assert len(csp) < 1783


def test_hsts_nosniff_no_framing_no_referrer(synthesized: Synthesized) -> None:
    _, config = _policy(synthesized)
    security = config["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 365 * 24 * 3600
    assert hsts["IncludeSubdomains"] is True
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    custom = {h["Header"]: h["Value"] for h in config["CustomHeadersConfig"]["Items"]}
    assert custom == {
        "Permissions-Policy": web_security.PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
