"""Open311 reads and writes over the same reports: services are the categories,
a POST is one more submission through `pakn.submission.service.submit`, and a
request read is the public view of a report: the reports public by the one rule
of `pakn.domain.publication` (consented and answered), masked, no contact. A
report that is not public is absent from the list and 404 alone, as on the
citizen lookup: a request shown without its text would still tell where and
when someone complained, before anyone has read the complaint."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pakn.attachments import CleanFile, Storage
from pakn.core.problems import Problem
from pakn.domain import tracking
from pakn.domain.channels import Channel
from pakn.domain.publication import PUBLIC_WHERE, public_text
from pakn.domain.status import HANDLED, Status, public_label, public_status
from pakn.models import Agency, ApiClient, Category, Feedback, FeedbackEvent
from pakn.open311.attributes import definitions
from pakn.open311.errors import bad_parameter, not_found
from pakn.open311.schemas import Created, NewRequest, Note, RequestFilter, Service, ServiceDefinition, ServiceRequest
from pakn.settings import CategoryConfig
from pakn.settings.open311 import Open311Config
from pakn.submission import ViewContext, answer_visible, history
from pakn.submission.service import Submission, submit

CATEGORY_CODE = re.compile(CategoryConfig.model_fields["code"].metadata[0].pattern)


def could_be_category(code: str) -> bool:
    """Whether a code has the shape of a category's (CategoryConfig's pattern): any
    other string is unknown without asking the database, which refuses some (NUL)."""
    return bool(CATEGORY_CODE.fullmatch(code))


def unknown_service(code: str) -> Problem:
    return not_found(f"Không có dịch vụ (service_code) {code}.", f"No service with service_code {code}.")


@dataclass(frozen=True)
class Catalogue:
    """What the service list is made of: categories, agencies, configured attributes."""

    config: Open311Config
    agency_of_category: dict[str, str]  # settings.triage.agencies: category → agency code
    lang: str


async def list_services(catalogue: Catalogue) -> list[Service]:
    categories = await Category.filter(is_active=True).order_by("position", "code")
    agencies = {agency.code: agency.name for agency in await Agency.all()}
    return [_service(category, catalogue, agencies) for category in categories]


def _service(category: Category, catalogue: Catalogue, agencies: dict[str, str]) -> Service:
    english = catalogue.lang == "en"
    description = (category.description_en if english else category.description_vi) or ""
    agency = catalogue.agency_of_category.get(category.code)
    return Service(
        service_code=category.code,
        service_name=category.name_en if english else category.name_vi,
        description=description,
        metadata=bool(catalogue.config.attributes.get(category.code)),
        # The standard's keywords are a comma list; the description is written as one.
        keywords=", ".join(part.strip().lower() for part in description.split(",") if part.strip()),
        # Grouped by the agency that handles the category, as a citizen would look for it.
        group=agencies.get(agency, "") if agency else "",
    )


async def service_definition(code: str, config: Open311Config) -> ServiceDefinition:
    if not could_be_category(code) or not await Category.filter(code=code, is_active=True).exists():
        raise unknown_service(code)
    return ServiceDefinition(service_code=code, attributes=definitions(config.attributes.get(code, [])))


async def require_service(code: str | None) -> str:
    if not code:
        raise bad_parameter("service_code", "Thiếu service_code.", "service_code is required.")
    if not could_be_category(code) or not await Category.filter(code=code, is_active=True).exists():
        raise unknown_service(code)
    return code


async def create_request(
    new: NewRequest,
    client: ApiClient,
    files: tuple[CleanFile, ...],
    *,
    client_address: str | None = None,
    storage: Storage,
    server_key: bytes,
    now: datetime,
) -> Created:
    """One report through the one submission path, on the open311 channel."""
    submission = Submission(
        data=new.data,
        files=files,
        channel=Channel.OPEN311,
        api_client_id=client.id,
        attributes=new.attributes,
        media_url=new.media_url,
        client_address=client_address,
    )
    outcome = await submit(submission, storage=storage, server_key=server_key, now=now)
    code = outcome.created.tracking_code
    notice = f"Đã tiếp nhận phản ánh, mã tra cứu {code}. Kết quả xử lý được công khai tại đây khi có trả lời."
    return Created(service_request_id=code, service_notice=notice)


# Reading requests ------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    tz: ZoneInfo
    lang: str
    now: datetime


async def find_requests(query: RequestFilter, reader: Reader) -> list[ServiceRequest]:
    rows = Feedback.filter(**PUBLIC_WHERE)  # never spam: a rejected report is not public
    if query.ids:
        codes = [code for code in map(tracking.normalise_tracking_code, query.ids) if code]
        if not codes:
            return []  # none could be a tracking code
        rows = rows.filter(tracking_code__in=codes)
    else:
        # SQLite compares timestamps as text: compare in UTC, as stored.
        rows = rows.filter(created_at__gte=query.start.astimezone(UTC), created_at__lte=query.end.astimezone(UTC))
        if query.service_codes:
            await _known_services(query.service_codes)
            rows = rows.filter(category_id__in=list(query.service_codes))
        if query.statuses == {"open"}:
            rows = rows.exclude(status__in=[status.value for status in HANDLED])
        elif query.statuses == {"closed"}:
            rows = rows.filter(status__in=[status.value for status in HANDLED])
    offset = (query.page - 1) * query.page_size
    page = await rows.order_by("-created_at", "-id").offset(offset).limit(query.page_size)
    return await _documents(page, reader, query.extensions)


async def find_request(raw_id: str, reader: Reader, extensions: bool) -> ServiceRequest:
    code = tracking.normalise_tracking_code(raw_id)
    feedback = await Feedback.filter(tracking_code=code, **PUBLIC_WHERE).first() if code else None
    if feedback is None:
        raise not_found(f"Không có phản ánh công khai mã {raw_id}.", f"No public request {raw_id}.")
    return (await _documents([feedback], reader, extensions))[0]


async def _known_services(codes: Iterable[str]) -> None:
    """Filtering by a code that never existed is a mistake worth a 404; retired
    categories still filter their old reports."""
    plausible = [code for code in codes if could_be_category(code)]
    found = await Category.filter(code__in=plausible).values_list("code", flat=True) if plausible else []
    known = {str(code) for code in found}
    for code in codes:
        if code not in known:
            raise unknown_service(code)


async def _documents(page: list[Feedback], reader: Reader, extensions: bool) -> list[ServiceRequest]:
    categories = {category.code: category for category in await Category.all()}
    agencies = {agency.code: agency.name for agency in await Agency.all()}
    events: dict[int, list[FeedbackEvent]] = {}
    if extensions and page:
        ids = [feedback.id for feedback in page]
        for event in await FeedbackEvent.filter(feedback_id__in=ids, is_public=True).order_by("id"):
            events.setdefault(event.feedback_id, []).append(event)
    ctx = ViewContext(reader.lang, reader.tz, categories, lambda feedback, item: "", reader.now)
    return [
        _document(feedback, categories, agencies, ctx, events.get(feedback.id, []) if extensions else None)
        for feedback in page
    ]


def _document(
    feedback: Feedback,
    categories: dict[str, Category],
    agencies: dict[str, str],
    ctx: ViewContext,
    events: list[FeedbackEvent] | None,
) -> ServiceRequest:
    status = Status(feedback.status)
    category = categories.get(feedback.category_id) if feedback.category_id else None
    text = f"{feedback.title}\n\n{feedback.content}" if feedback.title else feedback.content
    return ServiceRequest(
        service_request_id=feedback.tracking_code,
        status="closed" if status in HANDLED else "open",
        status_notes=public_text(feedback.answer) if answer_visible(feedback) else None,
        service_name=(category.name_en if ctx.lang == "en" else category.name_vi) if category else None,
        service_code=feedback.category_id,
        description=public_text(text),
        agency_responsible=agencies.get(feedback.agency_id) if feedback.agency_id else None,
        service_notice=public_label(public_status(status), ctx.lang),
        requested_datetime=feedback.created_at.astimezone(ctx.tz),
        updated_datetime=feedback.updated_at.astimezone(ctx.tz),
        expected_datetime=feedback.deadline.astimezone(ctx.tz) if feedback.deadline else None,
        address=public_text(feedback.address),
        address_id=feedback.admin_unit_id,
        lat=feedback.lat,
        long=feedback.lon,
        media_url=feedback.media_url,
        notes=_notes(events, ctx) if events is not None else None,
    )


def _notes(events: list[FeedbackEvent], ctx: ViewContext) -> list[Note]:
    """The public history (status changes in public wording, as the citizen reads them)."""
    notes = []
    for position, item in enumerate(history(events, ctx)):
        kind = "opened" if position == 0 else "closed" if Status(item.status) in HANDLED else "status_change"
        notes.append(Note(datetime=item.at, type=kind, status=item.status, summary=item.label))
    return notes
