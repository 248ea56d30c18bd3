"""Pickers for the app: categories and administrative units."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.core.http import json_response
from pakn.core.i18n import request_language
from pakn.core.openapi import document
from pakn.core.problems import bad_request, not_found
from pakn.models import AdminUnit
from pakn.reference import service
from pakn.reference.schemas import AdminUnitOut, CategoryOut


class CategoryList(BaseModel):
    items: list[CategoryOut]


class AdminUnitList(BaseModel):
    items: list[AdminUnitOut]


CACHE = {"Cache-Control": "public, max-age=3600"}
ADMIN_UNIT_CODE_MAX = AdminUnit._meta.fields_map["code"].max_length


@document(summary="Lĩnh vực (Categories)", responses={200: CategoryList})
async def list_categories(request: Request) -> Response:
    lang = request_language(request)
    categories = await service.list_categories()
    items = [CategoryOut.from_model(category, lang) for category in categories]
    return json_response(CategoryList(items=items), headers={**CACHE, "Vary": "Accept-Language"})


@document(
    summary="Đơn vị hành chính (Administrative units: provinces, or the communes of `parent`)",
    responses={200: AdminUnitList},
    query=["parent"],
    parameters={"parent": {"type": "string", "maxLength": ADMIN_UNIT_CODE_MAX}},
)
async def list_admin_units(request: Request) -> Response:
    parents = request.query_params.getlist("parent")
    if len(parents) > 1:
        raise bad_request(
            "Tham số parent chỉ được gửi một lần.", "parent must be given at most once.", "repeated-parameter"
        )
    parent = parents[0] if parents and parents[0] else None
    if parent is not None and len(parent) > ADMIN_UNIT_CODE_MAX:
        # No unit has so long a code (and the column would refuse it with a 500).
        raise not_found()
    units = await service.list_admin_units(parent)
    return json_response(AdminUnitList(items=[AdminUnitOut.from_model(unit) for unit in units]), headers=CACHE)


routes = [
    Route("/api/v1/categories", list_categories, methods=["GET"]),
    Route("/api/v1/admin-units", list_admin_units, methods=["GET"]),
]
