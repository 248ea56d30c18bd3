"""Reference data: categories (lĩnh vực) and administrative units."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Category(Model):
    code = fields.CharField(primary_key=True, max_length=64)
    name_vi = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200)
    description_vi = fields.TextField(default="")
    description_en = fields.TextField(default="")
    position = fields.IntField(default=0)
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "category"


class AdminUnit(Model):
    """A province or a commune. Units that a reform replaced stay, with their
    validity dates, so that old records still resolve."""

    code = fields.CharField(primary_key=True, max_length=16)
    name = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200, default="")
    division_type = fields.CharField(max_length=64, default="")
    level = fields.CharField(max_length=16)  # "province" | "commune"
    parent: fields.ForeignKeyNullableRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: str | None
    valid_from = fields.DateField(null=True)
    valid_to = fields.DateField(null=True)

    class Meta:
        table = "admin_unit"
        indexes = (("parent_id", "name"),)
