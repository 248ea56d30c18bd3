"""The OpenAPI document says what the service does (issue 17, items 4-8 and 10):
error statuses, who must authenticate, both views of a tracked report, reply
headers, and limits and bounds as enforced."""

from __future__ import annotations

from typing import Any

import pytest

from pakn.app import create_app
from pakn.settings import Limits, Settings

INT64_MAX = 2**63 - 1


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = create_app(Settings(), manage_database=False).state.openapi
    return document


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(method, path): op for path, item in spec["paths"].items() for method, op in item.items()}


def test_every_operation_lists_its_error_statuses_with_no_catch_all(spec: dict[str, Any]) -> None:
    for (method, path), op in operations(spec).items():
        responses = op["responses"]
        assert "default" not in responses, (method, path)
        if path != "/healthz":
            assert "503" in responses, (method, path)
        if "requestBody" in op:
            assert {"400", "413", "415", "422"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        for status, reply in responses.items():
            if int(status) >= 400:
                assert "application/problem+json" in reply["content"], (method, path, status)
    act = operations(spec)[("post", "/api/v1/staff/feedback/{id}/actions")]["responses"]
    assert {"401", "403", "409", "412", "428"} <= set(act)
    assert act["429" if "429" in act else "503"]["headers"]["Retry-After"]
    assert operations(spec)[("post", "/api/v1/auth/token")]["responses"]["429"]["headers"]["Retry-After"]["required"]


def test_staff_admin_and_statistics_operations_require_a_token_and_public_ones_say_none(spec: dict[str, Any]) -> None:
    for (method, path), op in operations(spec).items():
        if path.startswith(("/api/v1/admin/", "/api/v1/staff/", "/api/v1/auth/me", "/api/v1/auth/logout")) or (
            path.startswith("/api/v1/stats") and path != "/api/v1/stats/public"
        ):
            assert op["security"] == [{"bearer": []}], (method, path)
            assert "401" in op["responses"], (method, path)
    public = ("/api/v1/categories", "/api/v1/feedback/public", "/api/v1/stats/public", "/healthz")
    for path in public:
        assert operations(spec)[("get", path)]["security"] == []
    assert operations(spec)[("get", "/api/v1/admin/users")]["responses"]["403"]


def test_a_tracked_report_is_documented_in_both_views(spec: dict[str, Any]) -> None:
    op = operations(spec)[("get", "/api/v1/feedback/{code}")]
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {
        "anyOf": [{"$ref": "#/components/schemas/FeedbackPublic"}, {"$ref": "#/components/schemas/FeedbackPrivate"}]
    }
    assert op["security"] == [{"bearer": []}, {"device": []}, {}]
    assert op["responses"]["401"]["headers"]["WWW-Authenticate"]["schema"]["pattern"] == "^(Bearer|Device)"


def test_device_operations_require_the_device_scheme_and_a_submission_may_carry_it(spec: dict[str, Any]) -> None:
    assert spec["components"]["securitySchemes"]["device"] | {"description": ""} == {
        "type": "http",
        "scheme": "Device",
        "description": "",
    }
    ops = operations(spec)
    for key in (("get", "/api/v1/devices/me"), ("put", "/api/v1/devices/me"), ("delete", "/api/v1/devices/me"),
                ("get", "/api/v1/devices/me/feedback")):  # fmt: skip
        assert ops[key]["security"] == [{"device": []}], key
        assert ops[key]["responses"]["401"]["headers"]["WWW-Authenticate"]["schema"]["pattern"] == "^Device", key
    register = ops[("post", "/api/v1/devices")]
    assert register["security"] == [] and {"201", "422", "429"} <= set(register["responses"])
    assert set(register["responses"]["201"]["links"]) == {"read", "update", "reports"}
    submit = ops[("post", "/api/v1/feedback")]
    assert submit["security"] == [{"device": []}, {}] and "401" in submit["responses"]
    for key in (
        ("post", "/api/v1/feedback/{code}/rating"),
        ("get", "/api/v1/feedback/{code}/attachments/{attachment_id}"),
    ):
        assert ops[key]["security"] == [{"bearer": []}, {"device": []}], key
    notify = spec["components"]["schemas"]["FeedbackCreate"]["properties"]["notify"]
    assert notify["uniqueItems"] is True


def test_reply_headers_are_documented_and_if_match_is_required(spec: dict[str, Any]) -> None:
    ops = operations(spec)
    etag = ops[("get", "/api/v1/staff/feedback/{id}")]["responses"]["200"]["headers"]["ETag"]
    assert etag["required"] and etag["schema"]["pattern"]
    for key in (("post", "/api/v1/feedback"), ("post", "/api/v1/admin/users"), ("post", "/api/v1/staff/feedback")):
        assert ops[key]["responses"]["201"]["headers"]["Location"]["required"], key
    for key in (("get", "/api/v1/stats/export"), ("get", "/api/v1/feedback/{code}/attachments/{attachment_id}")):
        assert ops[key]["responses"]["200"]["headers"]["Content-Disposition"]["required"], key
    assert "Cache-Control" in ops[("get", "/api/v1/feedback/public")]["responses"]["200"]["headers"]
    act = ops[("post", "/api/v1/staff/feedback/{id}/actions")]
    if_match = [p for p in act["parameters"] if p["name"] == "If-Match"]
    assert if_match and if_match[0]["required"] is True


def test_limits_in_the_document_are_the_running_ones() -> None:
    settings = Settings(limits=Limits(page_size_max=7, idempotency_key_max_length=40))
    ops = operations(create_app(settings, manage_database=False).state.openapi)
    users_limit = next(p for p in ops[("get", "/api/v1/admin/users")]["parameters"] if p["name"] == "limit")
    assert users_limit["schema"]["maximum"] == 7
    key = next(p for p in ops[("post", "/api/v1/feedback")]["parameters"] if p["name"] == "Idempotency-Key")
    assert key["schema"]["maxLength"] == 40
    events = ops[("get", "/api/v1/staff/feedback/{id}/events")]
    events_limit = next(p for p in events["parameters"] if p["name"] == "limit")
    assert events_limit["schema"]["maximum"] == 500


def test_body_fields_carry_their_bounds_nullability_and_formats(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    update = schemas["UserUpdate"]["properties"]
    for name in ("full_name", "is_active", "password"):
        assert "anyOf" not in update[name] and update[name].get("type") != "null", name
    assert {"type": "null"} in update["agency"]["anyOf"]  # null clears it, and is accepted
    email = next(option for option in update["email"]["anyOf"] if option.get("type") == "string")
    assert email["format"] == "email"
    assert schemas["AgencyCreate"]["properties"]["emails"]["items"]["format"] == "email"
    rating = schemas["RatingCreate"]["properties"]
    integers = [prop for prop in rating.values() if prop.get("type") == "integer"]
    assert integers and all("minimum" in prop and "maximum" in prop for prop in integers)
    merge = str(schemas)
    assert str(INT64_MAX) in merge
    assert "1.0" in spec["info"]["description"]


def test_open311_is_pointed_to_from_the_main_document(spec: dict[str, Any]) -> None:
    assert "open311" in spec["externalDocs"]["url"].lower()
    assert "/open311/v2/discovery.json" in spec["externalDocs"]["description"]
    assert not any(path.startswith("/open311") for path in spec["paths"])
