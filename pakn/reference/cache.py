"""Categories kept in memory: every submission and every lookup needs them,
and they change a few times a year. A short time-to-live bounds how long
another replica's change takes to show here."""

from __future__ import annotations

import time

from pakn.models import Category

TTL_SECONDS = 60.0


class CategoryCache:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._loaded_at = float("-inf")
        self._by_code: dict[str, Category] = {}

    async def all(self) -> dict[str, Category]:
        """Every category by code, active or not (old reports keep old codes)."""
        if time.monotonic() - self._loaded_at > self.ttl:
            self._by_code = {category.code: category for category in await Category.all()}
            self._loaded_at = time.monotonic()
        return self._by_code

    async def is_active(self, code: str) -> bool:
        category = (await self.all()).get(code)
        return category is not None and category.is_active

    def invalidate(self) -> None:
        self._loaded_at = float("-inf")


categories = CategoryCache()
