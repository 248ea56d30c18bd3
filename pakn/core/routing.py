"""Row ids, one bound everywhere: paths (`{id:id}`), bodies (`RowId`) and cursors.

Ids are 64-bit integers in the database. Starlette's `:int` takes any run of
digits, and a number past 64 bits reaches the driver as an OverflowError, a
500. So an id is 1 to 10**18 - 1: 18 digits, which always fit, let a path
convertor refuse a longer segment by its regex alone (no route matches: 404),
and a body or a cursor refuse a larger number (422 / 400).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, Strict
from starlette.convertors import Convertor, register_url_convertor

ROW_ID_MIN = 1
ROW_ID_MAX = 10**18 - 1
ROW_ID_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": ROW_ID_MIN, "maximum": ROW_ID_MAX}

# An id in a request body: a JSON integer (not "1", 1.0 or true) within the bound,
# which its JSON schema (minimum, maximum) publishes.
RowId = Annotated[int, Strict(), Field(ge=ROW_ID_MIN, le=ROW_ID_MAX)]


def is_row_id(value: object) -> bool:
    """An int in range; `bool` is an int to Python but never an id."""
    return type(value) is int and ROW_ID_MIN <= value <= ROW_ID_MAX


class RowIdConvertor(Convertor[int]):
    # No leading zero: "0" and "007" name no row, as the schema's minimum says.
    regex = "[1-9][0-9]{0,17}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", RowIdConvertor())
