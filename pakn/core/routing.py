"""A path convertor for row ids: `{id:id}`.

Starlette's `:int` takes any run of digits, and `int()` of a 5,000-digit
segment raises, a 500. Ids here are 64-bit; 18 digits always fit, so a longer
segment simply matches no route (404), and the handler always gets an int.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor


ROW_ID_MAX = 10**18 - 1
ROW_ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": ROW_ID_MAX}


class RowIdConvertor(Convertor[int]):
    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", RowIdConvertor())
