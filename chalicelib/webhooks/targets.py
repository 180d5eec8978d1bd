"""Where a webhook may point. Outside the local twin, never at private networks (SSRF)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse

from chalicelib.config import Settings


class UnsafeTarget(ValueError):
    pass


def check_target(url: str, settings: Settings) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise UnsafeTarget("The webhook URL must be an http(s) URL with a host")
    if parsed.scheme == "http" and not settings.webhook_allow_private_targets:
        raise UnsafeTarget("The webhook URL must use https")
    if settings.webhook_allow_private_targets:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parsed.hostname, parsed.port or 443)}
    except socket.gaierror as exc:
        raise UnsafeTarget(f"The webhook host '{parsed.hostname}' does not resolve") from exc
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise UnsafeTarget("The webhook URL must not point into a private network")
