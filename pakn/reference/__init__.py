"""Reference data: categories (lĩnh vực) and administrative units.

Other packages use what this module names (or the `service` module), never the
other modules: an import-linter contract in pyproject.toml holds them to it."""

from pakn.reference.cache import categories
from pakn.reference.schemas import AdminUnitOut, CategoryOut
from pakn.reference.service import (
    category_exists,
    get_admin_unit,
    list_admin_units,
    list_categories,
    seed_admin_units,
    sync_categories,
)
from pakn.reference.views import category_view, unit_view

__all__ = [
    "AdminUnitOut",
    "CategoryOut",
    "categories",
    "category_exists",
    "category_view",
    "get_admin_unit",
    "list_admin_units",
    "list_categories",
    "seed_admin_units",
    "sync_categories",
    "unit_view",
]
