"""One reader of query strings, for every list and figure (Open311 aside: its
standard says how its own parameters are read, pakn/open311/queries.py).

The same rules everywhere:

- a parameter the endpoint does not take is refused (422 naming it): a
  misspelt filter silently ignored would show the wrong list or figure;
- a parameter given twice is refused (400 `repeated-parameter` naming it)
  rather than read as whichever value came last, unless its field is a list
  (the queue's `status`);
- an empty value (`?category=`) means "not given", as a form left blank sends it;
- every other bad value is a 422 naming the parameter, Vietnamese first;
- numbers are ASCII digits only (`pakn.core.pagination.parse_limit`; 400
  `bad-limit`), cursors go through their list's codec (400 `bad-cursor`);
- a range (`from`/`to`, `created_from`/`created_to`) in the wrong order is a
  422 naming its upper end (`require_order`).
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator
from starlette.requests import Request

from pakn.core.problems import FieldError, Problem, field_problem
from pakn.core.validation import parse_model
from pakn.text.fields import LocalizedValueError

Query = TypeVar("Query", bound="QueryModel")
_MANY = (list, tuple, set, frozenset)
# What a category, agency or unit code can look like: anything else names no
# row (and a NUL byte would be refused by PostgreSQL as a 500).
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


FLAGS = {"true": True, "1": True, "false": False, "0": False}


def parse_flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if value in FLAGS:
        return FLAGS[value]
    raise LocalizedValueError("Chỉ nhận true, false, 1 hoặc 0.", "Must be true, false, 1 or 0.")


# A yes/no parameter: exactly true, false, 1 or 0 (not "TRUE", "yes", "on").
Flag = Annotated[bool, BeforeValidator(parse_flag)]
FLAG_PARAMETER: dict[str, Any] = {"type": "string", "enum": [*FLAGS, ""]}


def code_parameter(max_length: int) -> dict[str, Any]:
    """The OpenAPI schema of a code parameter; empty means "no filter"."""
    pattern = f"^(?:{CODE_PATTERN.removeprefix('^').removesuffix('$')})?$"
    return {"type": "string", "maxLength": max_length, "pattern": pattern}


class QueryModel(BaseModel):
    """A query string's parameters; subclasses declare them as fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        kept: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, list):
                value = [item for item in value if item != ""] or None
            if value not in ("", None):
                kept[key] = value
        return kept


class PageQuery(QueryModel):
    """`cursor` and `limit` as given; the list reads them (its codec, its bounds)."""

    cursor: str | None = None
    limit: str | None = None


def read_query(request: Request, schema: type[Query]) -> Query:
    """The query string as `schema`, by the rules above."""
    params = request.query_params
    many = repeatable(schema)
    repeated = sorted(name for name in params.keys() if name not in many and len(params.getlist(name)) > 1)
    if repeated:
        raise repeated_parameters(repeated)
    data = {name: params.getlist(name) if name in many else params[name] for name in params.keys()}
    return parse_model(schema, data)


def repeatable(schema: type[QueryModel]) -> frozenset[str]:
    """The parameters that may be given more than once: list-typed fields."""
    return frozenset(
        field.alias or name
        for name, field in schema.model_fields.items()
        if get_origin(field.annotation) in _MANY or field.annotation in _MANY
    )


def repeated_parameters(names: list[str]) -> Problem:
    listed = ", ".join(names)
    problem = Problem(
        400,
        "repeated-parameter",
        "Yêu cầu không hợp lệ",
        "Bad request",
        f"Tham số chỉ được gửi một lần: {listed}.",
        f"Give each parameter once: {listed}.",
    )
    problem.errors = [
        FieldError(name, "repeated", "Tham số chỉ được gửi một lần.", "Give this parameter once.") for name in names
    ]
    return problem


def require_order(lower: Any, upper: Any, names: tuple[str, str], *, strict: bool) -> None:
    """`upper` after `lower` (`strict`: an exclusive end) or not before it
    (an inclusive one); either may be absent. 422 naming the upper end."""
    if lower is None or upper is None:
        return
    if upper > lower or (upper == lower and not strict):
        return
    first, last = names
    if strict:
        raise field_problem(last, "range", f"{last} phải sau {first}.", f"`{last}` must be later than `{first}`.")
    raise field_problem(
        last, "range", f"{last} không được trước {first}.", f"`{last}` must not be earlier than `{first}`."
    )
