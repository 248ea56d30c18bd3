"""Service attributes: what a service asks (config), and checking the answers
a client sends as attribute[CODE]=v or attribute[CODE][]=v1&attribute[CODE][]=v2."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from pakn.core.problems import Problem
from pakn.open311.errors import bad_parameter
from pakn.open311.schemas import Attribute, AttributeValue
from pakn.settings.open311 import Open311Attribute
from pakn.text.fields import clean_text

TEXT_MAX = {"string": 500, "text": 4000}
NUMBER = re.compile(r"^[+-]?\d{1,15}(\.\d{1,15})?$")


def definitions(attributes: list[Open311Attribute]) -> list[Attribute]:
    return [
        Attribute(
            variable=item.variable,
            code=item.code,
            datatype=item.datatype,
            required=item.required,
            datatype_description=item.datatype_description,
            order=position,
            description=item.description,
            values=[AttributeValue(key=key, name=name) for key, name in item.values.items()],
        )
        for position, item in enumerate(attributes, start=1)
    ]


def _bad(code: str, vi: str, en: str) -> Problem:
    return bad_parameter(f"attribute[{code}]", vi, en)


def check_attributes(
    service_code: str, given: dict[str, list[str]], listed: frozenset[str], defined: list[Open311Attribute]
) -> dict[str, Any]:
    """The answers to store in Feedback.attributes: one value per code, a list
    for multivaluelist; 400 for an unknown code, a missing required answer, a
    value outside the list or of the wrong type."""
    by_code = {item.code: item for item in defined if item.variable}
    for code in given:
        if code not in by_code:
            raise _bad(
                code,
                f"Dịch vụ {service_code} không có thuộc tính này.",
                f"Service {service_code} has no such attribute.",
            )
    answers: dict[str, Any] = {}
    for code, item in by_code.items():
        values = [str(clean_text(value)) for value in given.get(code, [])]
        values = [value for value in values if value]
        if not values:
            if item.required:
                raise _bad(code, "Thuộc tính này là bắt buộc.", "This attribute is required.")
            continue
        answers[code] = _answer(item, values, code in listed)
    return answers


def _answer(item: Open311Attribute, values: list[str], listed: bool) -> Any:
    if item.datatype == "multivaluelist":
        unknown = [value for value in values if value not in item.values]
        if unknown:
            raise _bad(
                item.code,
                f"Giá trị không có trong danh sách: {', '.join(unknown)}.",
                f"Not among the values: {', '.join(unknown)}.",
            )
        return list(dict.fromkeys(values))
    if len(values) > 1 or listed:
        raise _bad(item.code, "Chỉ nhận một giá trị.", "Takes a single value.")
    value = values[0]
    if item.datatype == "singlevaluelist" and value not in item.values:
        raise _bad(item.code, f"Giá trị không có trong danh sách: {value}.", f"Not among the values: {value}.")
    if item.datatype == "number":
        if not NUMBER.match(value) or not math.isfinite(float(value)):
            raise _bad(item.code, "Phải là một số.", "Must be a number.")
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    if item.datatype == "datetime":
        try:
            return datetime.fromisoformat(value).isoformat()
        except ValueError:
            raise _bad(item.code, "Phải là thời điểm W3C.", "Must be a W3C datetime.") from None
    limit = TEXT_MAX.get(item.datatype)
    if limit and len(value) > limit:
        raise _bad(item.code, f"Không được quá {limit} ký tự.", f"Must have at most {limit} characters.")
    return value
