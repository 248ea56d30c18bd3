"""Which changes the citizen is told about: one notice per change that the
citizen's own view of the report shows, none for anything else.

The citizen's history lists the public events (every action but the private
ones: notes, category and priority changes, reassignment, extension) that
change the status as the citizen reads it (`public_status`: an answer
awaiting approval still reads "being handled"). Those moves notify, named by
what the citizen now reads. Two more changes show in the citizen's view
without a history line, and notify too: a new deadline (the private view shows
it), and the answer of the report a duplicate was merged into (the duplicate
shows its original's answer), sent to each duplicate's citizen.

Pure: no I/O; the workflow asks `citizen_event` inside its transaction.
"""

from __future__ import annotations

from pakn.domain.status import Status, public_status
from pakn.domain.workflow import Action

RECEIVED = "received"
ASSIGNED = "assigned"  # forwarded to the handling unit
IN_PROGRESS = "in_progress"  # being handled: started, reopened, or resumed after the citizen's supplement
REROUTED = "rerouted"  # the unit declined it: back to intake, to be forwarded again
INFO_REQUESTED = "info_requested"
ANSWERED = "answered"  # the answer is published (resolved)
REJECTED = "rejected"
MERGED = "merged"
ORIGINAL_ANSWERED = "original_answered"  # to a duplicate's citizen, when the original is answered
CLOSED = "closed"
EXTENDED = "extended"

# The milestones: a notice on every channel. SMS and Zalo ZNS carry only these:
# each message costs money, and each event's text or template is registered
# with the brandname gateway or approved by Zalo beforehand ([sms], [zns]).
MILESTONES = (RECEIVED, INFO_REQUESTED, ANSWERED, REJECTED, MERGED, ORIGINAL_ANSWERED, CLOSED, EXTENDED)
# The steps in between, told where they cost nothing: e-mail, push, Web Push.
PROGRESS = (ASSIGNED, IN_PROGRESS, REROUTED)
EVENTS = MILESTONES + PROGRESS
PAID_CHANNELS = frozenset({"sms", "zns"})

# Moves whose notice says what the move did, whatever the status reads.
_BY_ACTION = {
    Action.REJECT: REJECTED,
    Action.MERGE: MERGED,
    Action.REQUEST_INFO: INFO_REQUESTED,
    Action.CLOSE: CLOSED,
    Action.DECLINE: REROUTED,
}
# The others: what the citizen reads now.
_BY_STATUS = {Status.ASSIGNED: ASSIGNED, Status.IN_PROGRESS: IN_PROGRESS, Status.RESOLVED: ANSWERED}


def citizen_event(action: Action, source: Status, target: Status, *, public: bool) -> str | None:
    """The notice a move sends (None: the citizen's view does not change).
    `public` is whether the move's event shows in the citizen's history."""
    if action is Action.EXTEND:
        return EXTENDED  # a private event, but the citizen's view shows the new deadline
    if not public or public_status(source) is public_status(target):
        return None
    return _BY_ACTION.get(action) or _BY_STATUS.get(target)


def carries(channel: str, event: str) -> bool:
    """Whether `channel` sends notices of `event`."""
    return event in MILESTONES or channel not in PAID_CHANNELS
