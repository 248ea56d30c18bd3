"""E-mail: the outbox (written in the caller's transaction), the sender that
delivers it after commit, citizen notices and the weekly status e-mail.

Other packages use what this module names (or the `service` module), never the
other modules: an import-linter contract in pyproject.toml holds them to it."""

from pakn.mail.notices import notify_citizen, received_message
from pakn.mail.outbox import count_by_status, enqueue, failed_messages
from pakn.mail.rendering import moment, render
from pakn.mail.sender import flush_outbox

__all__ = [
    "count_by_status",
    "enqueue",
    "failed_messages",
    "flush_outbox",
    "moment",
    "notify_citizen",
    "received_message",
    "render",
]
