"""Languages: Vietnamese by default, English on request."""

from __future__ import annotations

from starlette.requests import Request

DEFAULT_LANGUAGE = "vi"
SUPPORTED = ("vi", "en")


def negotiate(accept_language: str | None) -> str:
    """The best supported language in an Accept-Language header (RFC 9110 q-values)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-", 1)[0]
        if primary in SUPPORTED and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def request_language(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))
