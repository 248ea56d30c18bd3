"""The staff console and the public pages: server-rendered HTML (Jinja2) for
people who do not write API clients, on the same services as the JSON API.

A door, beside pakn.api: it reads and writes only through the domain
services (import-linter holds it to that), so no rule exists twice.
"""
