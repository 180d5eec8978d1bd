"""``/media/*`` on the local twin: what CloudFront does in front of the media bucket in AWS.

Every request must carry the playback cookies the API issued for that video
or clip (chalicelib/playback/): an expired, forged or foreign cookie gets a
403 as CloudFront would give, so a player that does not renew its access
fails here exactly as it would in AWS. Allowed requests are answered from the
media bucket, Range requests included (seeking).
"""

from __future__ import annotations

from datetime import UTC, datetime

from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response as WsgiResponse

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.playback import keys
from chalicelib.playback.paths import MEDIA_ROOT
from chalicelib.playback.signing import AccessDenied, verify

PREFIX = MEDIA_ROOT
_PASSED_HEADERS = ("Content-Type", "Content-Length", "Content-Range", "ETag", "Cache-Control")


def _denied(reason: str) -> WsgiResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
        f"<Message>{reason}</Message></Error>"
    )
    return WsgiResponse(body, status=403, content_type="text/xml")


class LocalMediaOrigin:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._public_keys: dict[str, rsa.RSAPublicKey] = {}

    def _keys(self) -> dict[str, rsa.RSAPublicKey]:
        # Read on first use: the stack writes the key pair before it starts this server.
        if not self._public_keys:
            path = self._settings.local_playback_key_path
            self._public_keys[self._settings.playback_key_pair_id] = keys.load_public_key(path)
        return self._public_keys

    def handles(self, request: WsgiRequest) -> bool:
        return request.path.startswith(PREFIX) and request.method in ("GET", "HEAD")

    def __call__(self, request: WsgiRequest) -> WsgiResponse:
        url = f"{request.scheme}://{request.host}{request.path}"
        try:
            verify(dict(request.cookies), url, datetime.now(UTC), self._keys())
        except AccessDenied as exc:
            return _denied(str(exc))
        key = request.path[len(PREFIX) :]
        s3 = aws.s3_client(self._settings)
        bucket = self._settings.media_bucket
        try:
            if "Range" in request.headers:
                found = s3.get_object(Bucket=bucket, Key=key, Range=request.headers["Range"])
            else:
                found = s3.get_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = 416 if code == "InvalidRange" else 404 if code in ("NoSuchKey", "404") else 502
            return WsgiResponse(code, status=status, content_type="text/plain")
        status = int(found["ResponseMetadata"]["HTTPStatusCode"])
        body = b"" if request.method == "HEAD" else found["Body"].read()
        response = WsgiResponse(body, status=status)
        headers = found["ResponseMetadata"].get("HTTPHeaders", {})
        for name in _PASSED_HEADERS:
            value = headers.get(name.lower())
            if value is not None:
                response.headers[name] = value
        response.headers["Accept-Ranges"] = "bytes"
        return response
