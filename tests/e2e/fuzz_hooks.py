"""Schemathesis hooks for tests/e2e/test_served_api_fuzz.py (loaded through
SCHEMATHESIS_HOOKS in the fuzzer's process, not by pytest).

- `not_unavailable_while_healthy`: the document rightly lists 503 on every
  route that reads the database, so conformance alone lets a 503 through; but
  during the run the database is up and uploads are small, so a 503 is a fault
  dressed as "busy, retry" (issue 17, defect 1: an empty category came back so).
- Numerals that look like digits: `limit` and the other integer parameters also
  get values from a small dictionary of strings that `str.isdigit()` accepts
  but `int()` refuses or misreads (issue 17, defect 2: "²" was a 500), the way
  a fuzzing dictionary adds known-dangerous tokens to random generation.
- Blank text: any text field of a JSON body also gets values that hold nothing
  (empty, spaces, only zero-width characters). Random generation rarely makes
  them, and they are where a check skipped on "no value" lets a request reach
  the database (issue 17, defect 1: `"category": ""` failed its foreign key).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import strategies as st

TRICKY_NUMERALS = ("²", "٣", "１", "1.0", "１0", "99999999999999999999", " 5", "+5", "5_0", "-0")
INTEGER_PARAMETERS = ("limit",)
BLANKS = ("", "   ", "\u200b" * 12, "\t\n")


@schemathesis.check
def not_unavailable_while_healthy(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code == 503:
        raise AssertionError(f"503 while the database is up: {response.text[:500]}")
    return None


@schemathesis.hook
def flatmap_query(context: Any, query: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    declared = {parameter.name for parameter in context.operation.query} if context.operation else set()
    names = [name for name in INTEGER_PARAMETERS if name in declared]
    if not names:
        return st.just(query)
    tricky = st.tuples(st.sampled_from(names), st.sampled_from(TRICKY_NUMERALS))
    return st.one_of(st.just(query), tricky.map(lambda pair: {**(query or {}), pair[0]: pair[1]}))


@schemathesis.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    if not isinstance(body, dict):
        return st.just(body)
    names = sorted(name for name, value in body.items() if isinstance(value, str))
    if not names:
        return st.just(body)
    blank = st.tuples(st.sampled_from(names), st.sampled_from(BLANKS))
    return st.one_of(st.just(body), blank.map(lambda pair: {**body, pair[0]: pair[1]}))
