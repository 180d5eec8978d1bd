"""Serve the Chalice app over HTTP on 127.0.0.1, plus the web client's files.

Requests for API routes go through Chalice's own ``LocalGateway`` (the same
API Gateway event conversion ``chalice local`` uses); everything else is a
static file from web/ (with HTTP Range support, which video seeking needs).

``/media/*`` is served as CloudFront serves it in AWS: only with the playback
cookies the API issued (classreel/local/media_origin.py).

Three things exist only here, never in the Chalice app, so no deployment can
have them: ``GET /web-config.json`` tells the web client it runs against the
local twin (in AWS that file is a static one naming the Cognito hosted UI),
``POST /local/dev-token`` signs a dev token for one of the demo users, with the
dev issuer's key that lives only on this machine, and ``GET /local/mail`` shows
what the local mail server received (classreel/local/mailbox.py), so a developer
sees exactly what would be sent.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import ipaddress
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from chalice.config import Config
from chalice.local import ForbiddenError, LocalChalice, LocalGateway, LocalGatewayException
from werkzeug.security import safe_join
from werkzeug.serving import make_server
from werkzeug.utils import send_file
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response as WsgiResponse

from chalicelib.api.errors import error_body
from chalicelib.api.middleware import count_anonymous
from chalicelib.api.web_security import local_headers
from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.config import PROJECT_ROOT, Settings, get_settings
from chalicelib.errors import TooManyRequests
from chalicelib.observability import logger
from chalicelib.videos.schemas import ALLOWED_CONTENT_TYPES, ALLOWED_EXTENSIONS
from classreel.local import mailbox
from classreel.local.demo_users import BY_ID, DEMO_DISTRICT, DEMO_USERS
from classreel.local.media_origin import LocalMediaOrigin

StartResponse = Callable[..., Any]
MAX_BODY_BYTES = 1024 * 1024  # API Gateway's payload limit is 10 MB; we need far less.


class ApiGatewayLikeLocalGateway(LocalGateway):
    """Chalice's LocalGateway, matching routes on the raw (still percent-encoded) path and
    handing the view decoded path parameters, as API Gateway does, with the caller's own
    address as the source (Chalice's says 127.0.0.1 whoever calls).

    Matching on a decoded path would let an encoded '/' or '?' inside an id change
    which route runs (``/videos/x%3F`` read as ``GET /videos``).
    """

    def __init__(self, app_object: Any, config: Config) -> None:
        super().__init__(app_object, config)
        self._caller = threading.local()

    def handle_request_from(
        self, address: str, method: str, path: str, headers: Any, body: bytes | None
    ) -> Any:
        self._caller.address = address
        try:
            return self.handle_request(method, path, headers, body)
        finally:
            self._caller.address = None

    def _generate_lambda_event(
        self, method: str, path: str, headers: Any, body: bytes | None
    ) -> Any:
        event = super()._generate_lambda_event(method, path, headers, body)
        parameters = event.get("pathParameters") or {}
        event["pathParameters"] = {name: unquote(value) for name, value in parameters.items()}
        address = getattr(self._caller, "address", None)
        if address:
            event["requestContext"]["identity"]["sourceIp"] = address
        return event


class ApiServerApp:
    """A WSGI application: the Chalice app's routes, then static files."""

    def __init__(
        self, chalice_app: Any, web_dir: Path | None, settings: Settings | None = None
    ) -> None:
        # Chalice keeps current_request on the app object; LocalChalice makes it
        # thread-local so concurrent requests don't see each other's.
        if not isinstance(chalice_app, LocalChalice):
            bases = (LocalChalice, chalice_app.__class__)
            chalice_app.__class__ = type("ThreadSafeChalice", bases, {})
        config = Config.create(
            app_name=chalice_app.app_name, lambda_timeout=60, lambda_memory_size=1024
        )
        self._gateway = ApiGatewayLikeLocalGateway(chalice_app, config)
        self._web_dir = web_dir.resolve() if web_dir and web_dir.is_dir() else None
        self._settings = settings or get_settings()
        self._security_headers = local_headers(
            self._settings.s3_endpoint_url, sign_in=self._settings.oidc_issuer
        )
        self._media = LocalMediaOrigin(self._settings)
        self._local_routes: dict[tuple[str, str], Callable[[WsgiRequest], WsgiResponse]] = {
            ("GET", "/web-config.json"): self._web_config,
            ("POST", "/local/dev-token"): self._dev_token,
        }

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = WsgiRequest(environ)
        response = self._dispatch(request)
        # The headers CloudFront adds in AWS, so the client runs under the same policy here.
        for name, value in self._security_headers.items():
            response.headers.setdefault(name, value)
        return response(environ, start_response)

    def _dispatch(self, request: WsgiRequest) -> WsgiResponse:
        if request.content_length and request.content_length > MAX_BODY_BYTES:
            return _json(413, error_body("payload_too_large", "The request body is too large"))
        local_route = self._local_routes.get((request.method, request.path))
        if local_route is not None:
            return local_route(request)
        if request.path == MAIL_PATH or request.path.startswith(MAIL_PATH + "/"):
            return self._mail(request)
        if self._media.handles(request):
            return self._media(request)
        # The path as the client sent it: decoding it first would change its structure.
        path = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
        headers = {key: value for key, value in request.headers.items()}
        body = request.get_data() or None
        try:
            result = self._gateway.handle_request_from(
                str(request.remote_addr or ""), request.method, path, headers, body
            )
        except ForbiddenError:
            # No API route matched (API Gateway says "Missing Authentication Token").
            static = self._static(request)
            if static is not None:
                return static
            return _json(404, error_body("not_found", f"No such resource: {request.path}"))
        except LocalGatewayException as exc:
            return WsgiResponse(exc.body, status=exc.CODE, headers=exc.headers)
        return _from_lambda_response(result)

    def _web_config(self, request: WsgiRequest) -> WsgiResponse:
        settings = self._settings
        return _json(
            200,
            {
                "auth": "local",
                "api_base": "",
                "district": DEMO_DISTRICT,
                "demo_users": [user.as_json() for user in DEMO_USERS],
                # The local OpenID Connect provider: signing in through it is the path
                # Cognito's hosted UI takes in AWS (web/src/pkce.js).
                "oidc": (
                    {"authority": settings.oidc_issuer, "client_id": settings.oidc_client_id}
                    if settings.oidc_issuer
                    else None
                ),
                "upload": {
                    "max_bytes": settings.max_upload_bytes,
                    "extensions": list(ALLOWED_EXTENSIONS),
                    "content_types": list(ALLOWED_CONTENT_TYPES),
                },
            },
        )

    def _dev_token(self, request: WsgiRequest) -> WsgiResponse:
        refusal = _loopback_only(request)
        if refusal is not None:
            return refusal
        # A JSON body forces a CORS preflight, which this server never grants:
        # another site open in the developer's browser cannot get a token.
        if request.mimetype != "application/json":
            return _json(415, error_body("unsupported_media_type", "Send application/json"))
        # Nobody is signed in yet: held to the address's limit, as the API's public routes.
        try:
            count_anonymous(str(request.remote_addr or ""), self._settings)
        except TooManyRequests as refused:
            return _json(
                429,
                error_body(refused.code, refused.message, details=refused.details),
                {"Retry-After": str(refused.retry_after_s)},
            )
        body = request.get_json(silent=True)
        user_id = body.get("user_id") if isinstance(body, dict) else None
        user = BY_ID.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            return _json(404, error_body("not_found", "No such demo user", field="user_id"))
        # A demo person of the seeded directory: their roles and schools are read there.
        token = DevIssuer(self._settings).mint(
            user_id=user.user_id, district=DEMO_DISTRICT, name=user.name
        )
        return _json(200, {"token": token, "user": user.as_json()})

    def _mail(self, request: WsgiRequest) -> WsgiResponse:
        """``/local/mail``: the messages, newest first; ``/local/mail/{id}``: one, with its
        headers and parts; ``/local/mail/{id}/html``: its HTML part as the page it is."""
        refusal = _loopback_only(request)
        if refusal is not None:
            return refusal
        if request.method != "GET":
            return _json(405, error_body("method_not_allowed", "The mail viewer only reads"))
        directory = self._settings.local_mail_dir
        parts = request.path.removeprefix(MAIL_PATH).strip("/").split("/")
        if parts == [""]:
            return _json(200, {"items": mailbox.summaries(directory)})
        found = mailbox.read(directory, parts[0])
        if found is None or len(parts) > 2 or (len(parts) == 2 and parts[1] != "html"):
            return _json(404, error_body("not_found", "No such message"))
        if len(parts) == 1:
            return _json(200, found)
        if found["html"] is None:
            return _json(404, error_body("not_found", "This message has no HTML part"))
        # The email's own markup (inline styles, its links) under a policy of its own:
        # no script, no fetches, nothing framed; opened on its own, never inside the app.
        return WsgiResponse(
            found["html"],
            status=200,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": MAIL_HTML_POLICY, "Cache-Control": "no-store"},
        )

    def _static(self, request: WsgiRequest) -> WsgiResponse | None:
        if self._web_dir is None or request.method not in ("GET", "HEAD"):
            return None
        relative = request.path.lstrip("/") or "index.html"
        candidate = safe_join(str(self._web_dir), relative)
        if candidate is None:
            return None
        file_path = Path(candidate)
        if file_path.is_dir():
            file_path = file_path / "index.html"
        if not file_path.is_file():
            return None
        response = send_file(file_path, request.environ, conditional=True, max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return response


MAIL_PATH = "/local/mail"
MAIL_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'; sandbox allow-popups allow-top-navigation"
)

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def _host_name(authority: str) -> str:
    """``host[:port]`` or ``[v6]:port`` -> the host, lowercased, without brackets."""
    if authority.startswith("["):
        return authority[1:].split("]", 1)[0].lower()
    return authority.rsplit(":", 1)[0].lower() if authority.count(":") == 1 else authority.lower()


def _loopback_only(request: WsgiRequest) -> WsgiResponse | None:
    """The local-only routes (dev tokens, the mail viewer) answer only a browser or tool
    on this machine, by this machine's name.

    - the peer must be loopback, whatever address the server was bound to;
    - the Host header must name loopback: a page on another site whose name was
      re-pointed at 127.0.0.1 (DNS rebinding) is same-origin with this server in
      the browser's eyes, needs no preflight, and would otherwise get a token;
    - an Origin, when sent, must be a loopback origin too.
    """
    peer = str(request.remote_addr or "")
    try:
        peer_is_loopback = ipaddress.ip_address(peer.removeprefix("::ffff:")).is_loopback
    except ValueError:
        peer_is_loopback = False
    if not peer_is_loopback:
        return _json(403, error_body("forbidden", "The local twin answers this machine only"))
    if _host_name(request.host) not in LOOPBACK_NAMES:
        return _json(
            403,
            error_body("forbidden", "The local twin answers only at 127.0.0.1 or localhost"),
        )
    origin = request.headers.get("Origin")
    if origin is not None:
        parsed = urlsplit(origin)
        if parsed.scheme != "http" or _host_name(parsed.netloc) not in LOOPBACK_NAMES:
            return _json(403, error_body("forbidden", "The local twin answers no other site"))
    return None


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> WsgiResponse:
    return WsgiResponse(
        json.dumps(body), status=status, content_type="application/json", headers=headers
    )


def _from_lambda_response(result: dict[str, Any]) -> WsgiResponse:
    body = result.get("body") or b""
    if result.get("isBase64Encoded"):
        import base64  # noqa: PLC0415

        body = base64.b64decode(body)
    response = WsgiResponse(body, status=result["statusCode"])
    response.headers.clear()
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = value
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.add(name, value)
    response.headers.setdefault("Content-Type", "application/json")
    return response


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the ClassReel API and web client")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    settings = get_settings()
    sys.path.insert(0, str(PROJECT_ROOT))
    app_module = importlib.import_module("app")
    server = make_server(
        args.host,
        args.port,
        ApiServerApp(app_module.app, settings.web_dir, settings),
        threaded=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    logger.info("api listening", extra={"url": f"http://{args.host}:{args.port}"})
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
