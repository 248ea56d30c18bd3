"""Corrections to the JSON schemas Pydantic writes, where the models check more
than their types say, so that a generated client and a fuzzer see the rules the
service applies:

- an integer without bounds is a 64-bit column: it gets the bounds of one;
- a field whose validator refuses `null` (`_refuse_null`, as in the PATCH
  bodies) is optional but not nullable;
- `email` fields (and the items of `emails`) of a request are e-mail addresses.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
NOT_NULL_VALIDATOR = "_refuse_null"
EMAIL_FIELDS = frozenset({"email", "emails"})


def corrected(schemas: dict[str, Any], models: list[type[BaseModel]]) -> dict[str, Any]:
    for model in models:
        for name in _not_nullable(model):
            for schema in _component(schemas, model):
                prop = schema.get("properties", {}).get(name)
                if prop is not None:
                    _drop_null(prop)
    for schema in schemas.values():
        _walk(schema)
    return schemas


def _component(schemas: dict[str, Any], model: type[BaseModel]) -> list[dict[str, Any]]:
    # Pydantic suffixes a model's name when its input and output schemas differ.
    names = (model.__name__, f"{model.__name__}-Input")
    return [schemas[name] for name in names if name in schemas]


def _not_nullable(model: type[BaseModel]) -> set[str]:
    fields: set[str] = set()
    for decorator in model.__pydantic_decorators__.field_validators.values():
        if getattr(decorator.func, "__name__", "") == NOT_NULL_VALIDATOR:
            fields.update(decorator.info.fields)
    return fields


def _drop_null(prop: dict[str, Any]) -> None:
    options = prop.get("anyOf")
    if not isinstance(options, list):
        return
    kept = [option for option in options if option != {"type": "null"}]
    if len(kept) == 1:
        del prop["anyOf"]
        prop.update(kept[0])
    else:
        prop["anyOf"] = kept
    if prop.get("default", 0) is None:
        del prop["default"]


def _walk(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "integer":
        if "minimum" not in node and "exclusiveMinimum" not in node:
            node["minimum"] = INT64_MIN
        if "maximum" not in node and "exclusiveMaximum" not in node:
            node["maximum"] = INT64_MAX
    # Input models only (extra="forbid"): replies carry what was stored.
    for name, prop in (node.get("properties") or {}).items():
        if name in EMAIL_FIELDS and isinstance(prop, dict) and node.get("additionalProperties") is False:
            _mark_email(prop)
    for value in node.values():
        _walk(value)


def _mark_email(prop: dict[str, Any]) -> None:
    for option in [prop, *prop.get("anyOf", []), prop.get("items") or {}]:
        if option.get("type") == "string":
            option.setdefault("format", "email")
        if isinstance(option.get("items"), dict) and option["items"].get("type") == "string":
            option["items"].setdefault("format", "email")
