"""Pickers for the app: categories and administrative units."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.core.http import json_response
from pakn.core.i18n import request_language
from pakn.core.openapi import document
from pakn.core.query import CODE_PATTERN, QueryModel, code_parameter, read_query
from pakn.reference import AdminUnitOut, CategoryOut, category_view, service, unit_view
from pakn.reference.service import ADMIN_UNIT_CODE_MAX


class CategoryList(BaseModel):
    items: list[CategoryOut]


class AdminUnitList(BaseModel):
    items: list[AdminUnitOut]


CACHE = {"Cache-Control": "public, max-age=3600"}


class AdminUnitQuery(QueryModel):
    # Shaped like a code, or refused here (a NUL or an overlong one would be a 500 in the query).
    parent: str | None = Field(None, max_length=ADMIN_UNIT_CODE_MAX, pattern=CODE_PATTERN)


@document(summary="Lĩnh vực (Categories)", responses={200: CategoryList, 422: None})
async def list_categories(request: Request) -> Response:
    read_query(request, QueryModel)  # takes no parameter: any is refused, as on every list
    lang = request_language(request)
    categories = await service.list_categories()
    items = [category_view(category, lang) for category in categories]
    return json_response(CategoryList(items=items), headers={**CACHE, "Vary": "Accept-Language"})


@document(
    summary="Đơn vị hành chính (Administrative units: provinces, or the communes of `parent`)",
    responses={200: AdminUnitList, 404: None},
    query=["parent"],
    parameters={"parent": code_parameter(ADMIN_UNIT_CODE_MAX)},
)
async def list_admin_units(request: Request) -> Response:
    parent = read_query(request, AdminUnitQuery).parent
    units = await service.list_admin_units(parent)
    return json_response(AdminUnitList(items=[unit_view(unit) for unit in units]), headers=CACHE)


routes = [
    Route("/api/v1/categories", list_categories, methods=["GET"]),
    Route("/api/v1/admin-units", list_admin_units, methods=["GET"]),
]
