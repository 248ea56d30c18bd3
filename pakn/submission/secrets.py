"""Access tokens: the citizen's key to a report's private view
(tracking codes are pakn.domain.tracking).

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
