"""The outbox (written in the caller's transaction) and the sender that
delivers it after commit, by e-mail and through the citizen's other channels
(pakn.notify); the citizen's notices and the weekly status e-mail.

Other packages use what this module names (or the `service` module), never the
other modules: an import-linter contract in pyproject.toml holds them to it."""

from pakn.mail.citizen_texts import channel_label
from pakn.mail.events import citizen_event
from pakn.mail.notices import notify_citizen, received_messages
from pakn.mail.outbox import CHANNELS, enqueue
from pakn.mail.outcomes import FlushResult
from pakn.mail.rendering import moment, render
from pakn.mail.sender import flush_every_channel, flush_outbox
from pakn.mail.status import count_by_channel, count_by_status, failed_messages, retry_message, waiting_messages

__all__ = [
    "CHANNELS",
    "FlushResult",
    "channel_label",
    "citizen_event",
    "count_by_channel",
    "count_by_status",
    "enqueue",
    "failed_messages",
    "flush_every_channel",
    "flush_outbox",
    "moment",
    "notify_citizen",
    "received_messages",
    "render",
    "retry_message",
    "waiting_messages",
]
