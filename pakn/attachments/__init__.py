"""Attachments: checking uploads (type, size, pixels, location) and storing them.

Other packages use what this module names (or the `service` module), never the
other modules: an import-linter contract in pyproject.toml holds them to it."""

from pakn.attachments.budget import budget_for, upload_budget
from pakn.attachments.inspect import (
    ACCEPTED_TYPES,
    CleanFile,
    check_count,
    inspect_upload,
    sanitise_filename,
    too_many_attachments,
)
from pakn.attachments.orphans import sweep_orphans
from pakn.attachments.storage import LocalStorage, Storage, file_response, new_key, storage_of
from pakn.attachments.stored import storing

__all__ = [
    "file_response",
    "ACCEPTED_TYPES",
    "CleanFile",
    "LocalStorage",
    "Storage",
    "budget_for",
    "check_count",
    "inspect_upload",
    "new_key",
    "sanitise_filename",
    "storage_of",
    "storing",
    "sweep_orphans",
    "too_many_attachments",
    "upload_budget",
]
