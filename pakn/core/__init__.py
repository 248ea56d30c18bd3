"""Cross-cutting pieces: errors, languages, pagination, middleware."""
