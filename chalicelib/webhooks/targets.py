"""Where a webhook may point, and the one address a delivery may connect to.

Server-side request forgery is refused in three places that must agree:
- a name is resolved once per attempt, and *every* address it resolves to must be
  public (not loopback, private, shared 100.64.0.0/10, link-local, documentation,
  multicast, reserved, nor an IPv6 form that embeds an IPv4 address);
- the connection goes to the address that passed that check, never to a second
  lookup (DNS rebinding), with the name kept for the Host header and TLS (SNI and
  certificate verification);
- redirects are never followed (delivery.py: a 3xx is a failed attempt).

Only the local twin (``webhook_allow_private_targets``) may call loopback and
plain http; it still connects to the one address it resolved.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from chalicelib.config import Settings

# (host, port) -> the addresses the name resolves to, as strings.
Resolver = Callable[[str, int], Sequence[str]]

_NON_PUBLIC_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        # IPv4 (RFC 6890 and friends)
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT, shared address space
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        # IPv6
        "::/127",
        "::ffff:0:0/96",  # IPv4-mapped
        "64:ff9b::/96",  # NAT64: reaches any IPv4 address, private ones included
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",  # IETF protocol assignments, Teredo included
        "2001:db8::/32",
        "2002::/16",  # 6to4: embeds an IPv4 address
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)


class UnsafeTarget(ValueError):
    """The URL may not be a webhook target; the message is safe to show an admin."""


class NotPublicAddress(UnsafeTarget):
    def __init__(self) -> None:
        super().__init__("The webhook URL must not point into a private network")


class UnresolvableHost(UnsafeTarget):
    pass


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str

    @property
    def is_ip_literal(self) -> bool:
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


@dataclass(frozen=True)
class PinnedTarget:
    """A target and the one checked address a delivery connects to."""

    target: Target
    address: str


def is_public_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if any(ip.version == network.version and ip in network for network in _NON_PUBLIC_NETWORKS):
        return False
    return ip.is_global and not ip.is_multicast


def parse_target(url: str, settings: Settings) -> Target:
    try:
        parsed = urlsplit(url)
        port = parsed.port
    except ValueError as exc:
        raise UnsafeTarget("The webhook URL is not valid") from exc
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise UnsafeTarget("The webhook URL must be an http(s) URL with a host")
    if parsed.scheme == "http" and not settings.webhook_allow_private_targets:
        raise UnsafeTarget("The webhook URL must use https")
    if parsed.username is not None or parsed.password is not None:
        raise UnsafeTarget("The webhook URL must not carry a user name or password")
    path = parsed.path or "/"
    if parsed.query:
        path = f"{path}?{parsed.query}"
    return Target(
        scheme=parsed.scheme,
        host=parsed.hostname,
        port=port or (443 if parsed.scheme == "https" else 80),
        path=path,
    )


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def pin(target: Target, settings: Settings, resolve: Resolver) -> PinnedTarget:
    """Resolve once; refuse unless every address is public; keep the first."""
    if target.is_ip_literal:
        addresses: Sequence[str] = [target.host]
    else:
        try:
            addresses = list(resolve(target.host, target.port))
        except (socket.gaierror, UnicodeError) as exc:
            raise UnresolvableHost(f"The webhook host '{target.host}' does not resolve") from exc
    if not addresses:
        raise UnresolvableHost(f"The webhook host '{target.host}' does not resolve")
    if not settings.webhook_allow_private_targets and not all(
        is_public_address(address) for address in addresses
    ):
        raise NotPublicAddress()
    return PinnedTarget(target, addresses[0])


def check_target(url: str, settings: Settings, resolve: Resolver = system_resolver) -> Target:
    """At subscription: the URL's form, and (outside the local twin) where it resolves now."""
    target = parse_target(url, settings)
    if not settings.webhook_allow_private_targets:
        pin(target, settings, resolve)
    return target
