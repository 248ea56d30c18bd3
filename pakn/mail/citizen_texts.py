"""What a notice to the citizen says, in Vietnamese and in English: a title,
a lead sentence and, where the change carries one, the text it quotes (the
question asked, the answer). Push, Web Push, SMS and Zalo send the title and a
short body; the e-mail of an event without a template of its own
(`notice_update`) lays out the same words.

Pure: the facts are gathered by pakn.mail.notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pakn.mail import events as ev

LOCALES = ("vi", "en")
# A push notification shows a few lines; the app opens the report for the rest.
# SMS and ZNS providers apply their own, smaller, budgets.
SHORT_BODY = 400
TITLE_SHOWN = 60  # of the report's title, inside a sentence

# (title, lead) per event; {code} the tracking code, {title} the report's title.
WORDING: dict[str, dict[str, tuple[str, str]]] = {
    "vi": {
        ev.RECEIVED: ("Đã tiếp nhận phản ánh {code}", "Phản ánh «{title}» đã được tiếp nhận. Mã tra cứu: {code}."),
        ev.ASSIGNED: (
            "Phản ánh {code} đã được chuyển đơn vị xử lý",
            "Phản ánh «{title}» đã được chuyển đến đơn vị có thẩm quyền xử lý.",
        ),
        ev.IN_PROGRESS: ("Phản ánh {code} đang được xử lý", "Phản ánh «{title}» đang được xử lý."),
        ev.REROUTED: (
            "Phản ánh {code} đang được chuyển lại",
            "Phản ánh «{title}» đang được xem xét để chuyển đến đơn vị xử lý phù hợp.",
        ),
        ev.INFO_REQUESTED: (
            "Đề nghị bổ sung thông tin cho phản ánh {code}",
            "Để xử lý phản ánh «{title}», cơ quan xử lý đề nghị ông/bà bổ sung thông tin:",
        ),
        ev.ANSWERED: ("Phản ánh {code} đã có kết quả xử lý", "Phản ánh «{title}» đã có kết quả xử lý:"),
        ev.REJECTED: (
            "Phản ánh {code} không được tiếp nhận",
            "Phản ánh «{title}» không được tiếp nhận. Lý do: {reason}.",
        ),
        ev.MERGED: (
            "Phản ánh {code} được gộp vào phản ánh {original}",
            "Phản ánh «{title}» trùng nội dung với phản ánh {original} nên được xử lý cùng phản ánh đó.",
        ),
        ev.ORIGINAL_ANSWERED: (
            "Phản ánh {code} đã có kết quả xử lý",
            "Phản ánh {original}, mà phản ánh «{title}» được gộp vào, đã có kết quả xử lý:",
        ),
        ev.CLOSED: ("Phản ánh {code} đã đóng", "Phản ánh «{title}» đã hoàn tất xử lý và được đóng."),
        ev.EXTENDED: (
            "Gia hạn xử lý phản ánh {code}",
            "Thời hạn xử lý phản ánh «{title}» được gia hạn đến {deadline}.",
        ),
    },
    "en": {
        ev.RECEIVED: ("Report {code} received", "Your report “{title}” has been received. Tracking code: {code}."),
        ev.ASSIGNED: (
            "Report {code} forwarded for handling",
            "Your report “{title}” has been forwarded to the unit responsible for it.",
        ),
        ev.IN_PROGRESS: ("Report {code} is being handled", "Your report “{title}” is being handled."),
        ev.REROUTED: (
            "Report {code} is being forwarded again",
            "Your report “{title}” is being reviewed to forward it to the right unit.",
        ),
        ev.INFO_REQUESTED: (
            "More information needed for report {code}",
            "To handle your report “{title}”, the handling unit asks you for more information:",
        ),
        ev.ANSWERED: ("Report {code} has been answered", "Your report “{title}” has been answered:"),
        ev.REJECTED: ("Report {code} not accepted", "Your report “{title}” was not accepted. Reason: {reason}."),
        ev.MERGED: (
            "Report {code} merged into report {original}",
            "Your report “{title}” is about the same matter as report {original} and is handled with it.",
        ),
        ev.ORIGINAL_ANSWERED: (
            "Report {code} has been answered",
            "Report {original}, into which your report “{title}” was merged, has been answered:",
        ),
        ev.CLOSED: ("Report {code} closed", "Your report “{title}” has been handled and closed."),
        ev.EXTENDED: (
            "More time to handle report {code}",
            "The deadline for your report “{title}” has been extended to {deadline}.",
        ),
    },
}

# The public wording of a rejection's reason ("spam" is never told: see notices.py).
REASONS: dict[str, tuple[str, str]] = {
    "incomplete": (
        "chưa nhận được thông tin bổ sung cần thiết để xử lý",
        "the information needed to handle it was not received",
    ),
    "out_of_scope": (
        "nội dung không thuộc phạm vi tiếp nhận phản ánh, kiến nghị",
        "it is outside what this service handles",
    ),
    "complaint_or_denunciation": (
        "đây là khiếu nại, tố cáo, được giải quyết theo pháp luật về khiếu nại, tố cáo",
        "it is a complaint or denunciation, handled under the law on complaints and denunciations",
    ),
    "other": ("phản ánh không đủ điều kiện tiếp nhận", "it does not meet the conditions to be accepted"),
}

# How each channel reads to operators and in the weekly e-mail.
CHANNEL_LABELS = {
    "email": ("Thư điện tử", "E-mail"),
    "push": ("Thông báo trên ứng dụng", "App push"),
    "webpush": ("Thông báo trình duyệt", "Web Push"),
    "sms": ("Tin nhắn SMS", "SMS"),
    "zns": ("Zalo (ZNS)", "Zalo ZNS"),
}


@dataclass(frozen=True)
class Facts:
    """What a notice can tell, taken from the report and the change."""

    code: str
    title: str  # the report's title, or the start of its content
    status: str  # as the citizen reads it (public_status)
    message: str = ""  # the question, for info_requested
    answer: str = ""  # the published answer (the original's, for a duplicate)
    reason: str = ""  # the rejection's reason code
    original: str = ""  # the original's tracking code, for a duplicate
    deadline: datetime | None = None  # the current deadline (the new one, for extended)


@dataclass(frozen=True)
class Wording:
    title: str
    lead: str
    quote: str = ""  # the question or the answer, in full

    def short_body(self, limit: int = SHORT_BODY) -> str:
        """Lead and quote on one line, cut to `limit` characters."""
        text = " ".join(f"{self.lead} {self.quote}".split())
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def locale_of(value: str | None) -> str:
    return value if value in LOCALES else "vi"


def deadline_text(moment: datetime, tz: ZoneInfo, locale: str) -> str:
    """ "17:00 ngày 20/03/2026" / "17:00 on 20/03/2026", local time."""
    local = moment.astimezone(tz)
    joint = "on" if locale == "en" else "ngày"
    return f"{local:%H:%M} {joint} {local:%d/%m/%Y}"


def reason_text(reason: str, locale: str) -> str:
    vi, en = REASONS.get(reason, REASONS["other"])
    return en if locale == "en" else vi


def wording(event: str, facts: Facts, locale: str, tz: ZoneInfo) -> Wording:
    title, lead = WORDING[locale_of(locale)][event]
    fields = {
        "code": facts.code,
        "title": _shown(facts.title),
        "original": facts.original,
        "reason": reason_text(facts.reason, locale),
        "deadline": deadline_text(facts.deadline, tz, locale) if facts.deadline else "",
    }
    return Wording(title.format(**fields), lead.format(**fields), _quote(event, facts))


def _quote(event: str, facts: Facts) -> str:
    if event == ev.INFO_REQUESTED:
        return facts.message
    if event in (ev.ANSWERED, ev.ORIGINAL_ANSWERED, ev.MERGED):
        return facts.answer  # a duplicate merged into an answered report gets its answer at once
    return ""


def _shown(title: str) -> str:
    flat = " ".join(title.split())
    return flat if len(flat) <= TITLE_SHOWN else flat[: TITLE_SHOWN - 1].rstrip() + "…"


def data(event: str, facts: Facts, tz: ZoneInfo) -> dict[str, str]:
    """The push data payload, ZNS template parameters and SMS fields: strings,
    only those the event has."""
    values = {
        "tracking_code": facts.code,
        "status": facts.status,
        "event": event,
        "message": facts.message,
        "answer": facts.answer,
        "reason": facts.reason,
        "original_tracking_code": facts.original,
        "deadline": facts.deadline.astimezone(tz).isoformat() if facts.deadline else "",
    }
    return {key: value for key, value in values.items() if value}


def channel_label(channel: str, locale: str = "vi") -> str:
    vi, en = CHANNEL_LABELS.get(channel, (channel, channel))
    return en if locale == "en" else vi
