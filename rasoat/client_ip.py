"""The client's address: the connection's, or the one a trusted reverse proxy forwarded.

Behind nginx every request comes from the proxy, and X-Forwarded-For says whom the proxy served.
Anyone can send that header, so it is believed only when the connection (REMOTE_ADDR) comes from
one of `settings.TRUSTED_PROXIES`, and then read from the right: each trusted proxy appends the
address it received the request from, so the right-most address that is not itself a trusted proxy
is the client, and whatever stands to its left was written by the client and is ignored.

Sign-in lockouts (django-axes, AXES_CLIENT_IP_CALLABLE) and the audit log use this one function.
"""

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Untrusted peers already warned about, so that a misconfiguration is logged once per peer, not per request.
_warned: set[str] = set()


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks() -> tuple[Network, ...]:
    """The networks of `settings.TRUSTED_PROXIES`, parsed once per distinct setting."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def parse_address(value: str | None) -> Address | None:
    """An address as a proxy writes it ("203.0.113.7", "203.0.113.7:5123", "[2001:db8::1]:443"), or None."""
    text = (value or "").strip().strip('"')
    if text.startswith("["):
        end = text.find("]")
        text = text[1:end] if end > 0 else text
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(address: Address) -> bool:
    return any(address in network for network in trusted_networks())


def client_address(request) -> str | None:
    """The address of the client that sent `request`; None when the connection's address is unknown."""
    peer = parse_address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not is_trusted_proxy(peer):
        if forwarded and (peer.is_private or peer.is_loopback):
            _warn_untrusted_proxy(peer)
        return str(peer)
    client = peer
    for hop in reversed(forwarded.split(",")):
        address = parse_address(hop)
        if address is None:
            # No trusted proxy writes this: keep the last address a trusted proxy vouched for.
            break
        client = address
        if not is_trusted_proxy(address):
            break
    return str(client)


def _warn_untrusted_proxy(peer: Address) -> None:
    """A private peer sending X-Forwarded-For is probably the reverse proxy, missing from TRUSTED_PROXIES."""
    key = str(peer)
    if key in _warned or len(_warned) > 100:
        return
    _warned.add(key)
    logger.warning(
        "X-Forwarded-For received from %s, which is not in TRUSTED_PROXIES: every client behind it "
        "shares its address for sign-in lockouts and the audit log. Add the reverse proxy's address "
        "to TRUSTED_PROXIES.",
        key,
    )
