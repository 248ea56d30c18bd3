"""Reference data: categories (lĩnh vực) and administrative units."""

from pakn.reference.schemas import AdminUnitOut, CategoryOut
from pakn.reference.service import (
    category_exists,
    get_admin_unit,
    list_admin_units,
    list_categories,
    seed_admin_units,
    sync_categories,
)

__all__ = [
    "AdminUnitOut",
    "CategoryOut",
    "category_exists",
    "get_admin_unit",
    "list_admin_units",
    "list_categories",
    "seed_admin_units",
    "sync_categories",
]
