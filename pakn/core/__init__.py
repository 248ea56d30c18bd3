"""Cross-cutting pieces: errors, languages, pagination, middleware."""

from pakn.core import routing as _routing  # registers the `{name:id}` path convertor

__all__ = ["_routing"]
