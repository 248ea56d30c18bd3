"""Who the client is: X-Forwarded-For believed only from trusted proxies, read
from the right (pakn/core/clients.py)."""

from __future__ import annotations

from ipaddress import ip_network

from starlette.requests import Request

from pakn.core.clients import UNKNOWN, Network, client_address

PROXIES: list[Network] = [ip_network("10.0.0.0/8"), ip_network("2001:db8:ffff::/48")]


def request(peer: str | None, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    scope = {"type": "http", "headers": headers, "client": (peer, 4321) if peer else None}
    return Request(scope)


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address(request("198.51.100.7", "192.0.2.1"), []) == "198.51.100.7"


def test_from_an_untrusted_peer_the_header_is_ignored() -> None:
    assert client_address(request("198.51.100.7", "192.0.2.1"), PROXIES) == "198.51.100.7"


def test_from_a_trusted_proxy_the_address_it_appended_is_the_client() -> None:
    assert client_address(request("10.0.0.5", "192.0.2.1"), PROXIES) == "192.0.2.1"


def test_addresses_a_client_prepends_itself_are_not_believed() -> None:
    assert client_address(request("10.0.0.5", "203.0.113.50, 192.0.2.1"), PROXIES) == "192.0.2.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right() -> None:
    forwarded = "203.0.113.50, 192.0.2.1, 10.1.2.3"
    assert client_address(request("10.0.0.5", forwarded), PROXIES) == "192.0.2.1"


def test_several_header_lines_read_as_one_list() -> None:
    assert client_address(request("10.0.0.5", "203.0.113.50", "192.0.2.1, 10.9.9.9"), PROXIES) == "192.0.2.1"


def test_a_malformed_entry_stops_trust_at_the_last_known_proxy() -> None:
    assert client_address(request("10.0.0.5", "192.0.2.1, not-an-ip"), PROXIES) == "10.0.0.5"


def test_a_trusted_proxy_without_the_header_is_itself_the_client() -> None:
    assert client_address(request("10.0.0.5"), PROXIES) == "10.0.0.5"


def test_when_every_hop_is_a_trusted_proxy_the_leftmost_is_the_client() -> None:
    assert client_address(request("10.0.0.5", "10.2.2.2, 10.3.3.3"), PROXIES) == "10.2.2.2"


def test_ipv6_proxies_and_clients() -> None:
    assert client_address(request("2001:db8:ffff::1", "2001:db8:1::7"), PROXIES) == "2001:db8:1::7"


def test_without_a_peer_the_client_is_unknown() -> None:
    assert client_address(request(None, "192.0.2.1"), PROXIES) == UNKNOWN
