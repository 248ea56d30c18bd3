"""Attachments: checking uploads (type, size, pixels, location) and storing them."""

from pakn.attachments.inspect import ACCEPTED_TYPES, CleanFile, check_count, inspect_upload, sanitise_filename
from pakn.attachments.storage import LocalStorage, Storage, new_key

__all__ = [
    "ACCEPTED_TYPES",
    "CleanFile",
    "LocalStorage",
    "Storage",
    "check_count",
    "inspect_upload",
    "new_key",
    "sanitise_filename",
]
