"""Who is asking: the client's address, as far as it can be trusted.

Behind a reverse proxy every request arrives from the proxy's address; the
proxy names the real client in `X-Forwarded-For`. Anyone can send that header,
so it is read only when the request comes from a configured trusted proxy
(`PAKN_TRUSTED_PROXIES`), and then from the right: each trusted hop appends
the address it received from, so the first address from the right that is not
a trusted proxy is the client (RFC 7239 §7.4 reasoning; what nginx's
`real_ip_recursive on` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.requests import Request

Network = IPv4Network | IPv6Network
UNKNOWN = "unknown"


def client_address(request: Request, trusted: Sequence[Network]) -> str:
    """The client's IP address as text; "unknown" when the server cannot tell."""
    peer = request.client.host if request.client else None
    if peer is None:
        return UNKNOWN
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    address = peer
    for hop in reversed(hops):
        if not _valid(hop):
            break  # a malformed entry: trust stops at the last proxy we know
        address = hop
        if not _is_trusted(hop, trusted):
            break
    return address


def _valid(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _is_trusted(text: str, trusted: Sequence[Network]) -> bool:
    try:
        address = ip_address(text)
    except ValueError:
        return False
    return any(address.version == network.version and address in network for network in trusted)
