"""Reading the POST requests form of Open311.

Every mistake is a 400 naming the parameter as the standard spells it
(`description`, `long`, `attribute[muc-do]`), never the citizen API's names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from pakn.core.http import read_limited_body, require_media_type
from pakn.core.problems import Problem, payload_too_large
from pakn.core.validation import parse_model
from pakn.open311.attributes import check_attributes
from pakn.open311.errors import bad_parameter
from pakn.open311.schemas import NewRequest
from pakn.settings import Limits
from pakn.settings.open311 import Open311Config
from pakn.submission import MULTIPART, MULTIPART_OVERHEAD, FeedbackCreate, FormLimits, Upload
from pakn.submission import read_form as parse_form
from pakn.text.fields import clean_text

URLENCODED = "application/x-www-form-urlencoded"
# The parameters of POST requests in GeoReport v2, besides media and attribute[...].
SCALARS = frozenset(
    "service_code lat long address_string address_id description first_name last_name email phone"
    " device_id account_id media_url api_key jurisdiction_id".split()
)
URL_PARAMETERS = frozenset({"api_key", "jurisdiction_id"})
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{1,15})?)$")
MAX_FIELDS = 200
DESCRIPTION_MAX = 4000
ACCOUNT_ID_MAX = 200
# Citizen API field → Open311 parameter, for errors from FeedbackCreate.
PARAMETER_NAMES = {
    "content": "description",
    "category": "service_code",
    "location": "lat, long",
    "location.lat": "lat",
    "location.lon": "long",
    "location.address": "address_string",
    "location.admin_unit_code": "address_id",
    "contact.name": "first_name, last_name",
    "contact.phone": "phone",
    "contact.email": "email",
}


def as_open311(problem: Problem) -> Problem:
    """A citizen-API validation error (422) as the standard's 400, fields renamed."""
    for error in problem.errors:
        error.field = PARAMETER_NAMES.get(error.field, error.field)
    if problem.status == 422:
        problem.status = 400
    return problem


@dataclass(frozen=True)
class PostedForm:
    fields: dict[str, str]
    attributes: dict[str, list[str]]  # code → values, in the order sent
    listed: frozenset[str]  # codes sent as attribute[code][]
    media: Upload | None


async def read_form(request: Request, limits: Limits) -> PostedForm:
    """The form (URL-encoded or multipart with at most one `media` file)."""
    require_media_type(request, (URLENCODED, MULTIPART))
    await read_limited_body(request, limits.max_attachment_bytes + limits.max_json_bytes + MULTIPART_OVERHEAD)
    # The citizen API's problems, in the standard's error format; a second file
    # is a bad `media` parameter, as everywhere in this form.
    try:
        form = await parse_form(request, FormLimits(1, MAX_FIELDS, limits.max_json_bytes, parsed_files=1))
    except Problem as problem:
        raise (one_file("media") if problem.slug == "too-many-attachments" else problem) from None
    try:
        return await _collect(form, request, limits)
    finally:
        await form.close()


async def _collect(form: FormData, request: Request, limits: Limits) -> PostedForm:
    fields: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    listed: set[str] = set()
    media = None
    for name, value in form.multi_items():
        if name == "media" and isinstance(value, UploadFile) and media is None:
            media = await _media(value, limits)
            continue
        if isinstance(value, UploadFile) or name == "media":
            raise one_file(name)
        match = ATTRIBUTE.match(name)
        if match:
            attributes.setdefault(match.group(1), []).append(value)
            if match.group(2):
                listed.add(match.group(1))
        else:
            _put(fields, name, value, SCALARS)
    # Some clients send api_key and jurisdiction_id in the URL of the POST.
    for name, value in request.query_params.multi_items():
        _put(fields, name, value, URL_PARAMETERS)
    return PostedForm(fields, attributes, frozenset(listed), media)


def one_file(name: str) -> Problem:
    return bad_parameter(name, "Chỉ gửi được một tệp, trong tham số media.", "Only one file, as media.")


def _put(fields: dict[str, str], name: str, value: str, allowed: frozenset[str]) -> None:
    if name not in allowed:
        raise bad_parameter(name, f"Tham số {name} không được hỗ trợ.", f"Unknown parameter {name}.")
    if name in fields:
        raise bad_parameter(name, f"Tham số {name} chỉ được gửi một lần.", f"{name} must be given once.")
    fields[name] = value


async def _media(item: UploadFile, limits: Limits) -> Upload:
    content = await item.read(limits.max_attachment_bytes + 1)
    if len(content) > limits.max_attachment_bytes:
        raise payload_too_large(limits.max_attachment_bytes)
    return Upload("media", item.filename or "", content)


def new_request(form: PostedForm, config: Open311Config) -> NewRequest:
    """The report to submit; the service code is known to exist by now."""
    fields = form.fields
    # Counted as stored: invisible characters do not count, as for the citizen API.
    description = str(clean_text(fields.get("description", "")))
    if len(description) > DESCRIPTION_MAX:
        raise bad_parameter(
            "description",
            f"Không được quá {DESCRIPTION_MAX} ký tự.",
            f"Must have at most {DESCRIPTION_MAX} characters.",
        )
    if len(fields.get("account_id", "")) > ACCOUNT_ID_MAX:
        raise bad_parameter(
            "account_id", f"Không được quá {ACCOUNT_ID_MAX} ký tự.", f"Must have at most {ACCOUNT_ID_MAX} characters."
        )
    code = fields["service_code"]
    attributes = check_attributes(code, form.attributes, form.listed, config.attributes.get(code, []))
    payload: dict[str, Any] = {
        "content": description,
        "category": code,
        "location": _location(fields),
        "contact": _contact(fields),
    }
    if fields.get("device_id"):
        payload["device_id"] = fields["device_id"]
    try:
        data = parse_model(FeedbackCreate, payload)
    except Problem as problem:
        raise as_open311(problem) from None
    return NewRequest(data, attributes or None, _media_url(fields.get("media_url", "")))


def _location(fields: dict[str, str]) -> dict[str, Any]:
    lat, lon = _coordinate(fields, "lat"), _coordinate(fields, "long")
    address, unit = fields.get("address_string", "").strip(), fields.get("address_id", "").strip()
    if lat is None and lon is None and not address and not unit:
        raise bad_parameter(
            "lat, long",
            "Cần vị trí: lat và long, hoặc address_string, hoặc address_id.",
            "A location is required: lat and long, or address_string, or address_id.",
        )
    return {"lat": lat, "lon": lon, "address": address, "admin_unit_code": unit or None}


def _coordinate(fields: dict[str, str], name: str) -> float | None:
    raw = fields.get(name, "").strip()
    if not raw:
        return None
    if not DECIMAL.match(raw):
        raise bad_parameter(name, "Phải là số thập phân.", "Must be a decimal number.")
    return float(raw)


def _contact(fields: dict[str, str]) -> dict[str, str] | None:
    name = " ".join(
        part for part in (fields.get("first_name", "").strip(), fields.get("last_name", "").strip()) if part
    )
    contact = {"name": name, "phone": fields.get("phone", "").strip(), "email": fields.get("email", "").strip()}
    contact = {key: value for key, value in contact.items() if value}
    return contact or None


def _media_url(raw: str) -> str | None:
    url = raw.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "http://[::1" and other unparsable hosts
        valid = False
    if len(url) > 1000 or not valid or not url.isprintable():
        raise bad_parameter(
            "media_url",
            "Phải là địa chỉ http(s) đầy đủ, tối đa 1000 ký tự.",
            "Must be an absolute http(s) URL of at most 1000 characters.",
        )
    return url
