"""Tracking codes and access tokens.

A tracking code is read over the phone, so it uses Crockford's base32 (no I,
L, O, U) and is random rather than sequential: codes cannot be enumerated and
no counter row serialises concurrent submissions.

The access token is a 256-bit secret of which only the SHA-256 is stored; a
plain hash is enough for a random secret of that length (no dictionary to
attack). When the app sends an Idempotency-Key, the token is derived with
HMAC from the server's key, the idempotency key and the request digest, so a
retry can be answered with the same token without the token being stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
CODE_LENGTH = 7
PREFIX = "PAKN"


def new_tracking_code(now: datetime) -> str:
    bits = secrets.randbits(5 * CODE_LENGTH)  # one Crockford digit per 5 random bits
    body = "".join(CROCKFORD[(bits >> (5 * index)) & 31] for index in range(CODE_LENGTH))
    return f"{PREFIX}-{now.year}-{body}"


def normalise_tracking_code(raw: str) -> str | None:
    """The canonical code for what a person typed or read out, or None."""
    parts = raw.strip().upper().split("-")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    year, body = parts[1].translate(_READ_ALIASES), parts[2].translate(_READ_ALIASES)
    if not (year.isdigit() and len(year) == 4):
        return None
    if len(body) != CODE_LENGTH or any(char not in CROCKFORD for char in body):
        return None
    return f"{PREFIX}-{year}-{body}"


def new_access_token() -> str:
    return secrets.token_urlsafe(32)


def derived_access_token(server_key: bytes, idempotency_key: str, request_hash: str) -> str:
    message = f"feedback-access\x00{idempotency_key}\x00{request_hash}".encode()
    digest = hmac.new(server_key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), stored_hash)
