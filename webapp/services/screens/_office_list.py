"""The back-office applications list: search, filters, sorting and paging, all on the server."""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import defaultload, joinedload, lazyload, load_only

from webapp.extensions import db
from webapp.models import Application, Office, Service, ServiceVersion, Tenant, User, operator_services
from webapp.services.common import localtime, policy, statuses
from webapp.services.common.options import options_of
from webapp.services.common.tenancy import parse_uuid, scoped

SORTABLE = ("latest_status_change_at", "submitted_at", "created_at", "applicant_name", "status", "priority")
HANDLING = {"office": "Del mio ufficio", "mine": "Mie", "waiting": "In attesa di presa in carico"}
PERIODS = {"today": "Oggi", "yesterday": "Ieri", "this_week": "Questa settimana",
           "last_week": "Settimana scorsa", "this_month": "Questo mese", "last_month": "Il mese scorso",
           "custom": "Periodo personalizzato"}
WAITING = (statuses.SUBMITTED, statuses.REGISTERED)
FISCAL_CODE = re.compile(r"[A-Za-z0-9]{16}")
HEX = re.compile(r"[0-9a-f]+")
UUID_DASHES = (8, 13, 18, 23)
MIN_ID_PREFIX = 4  # hex digits: fewer would match too many ids to mean "this application"
MIN_PART = 3  # characters of a fiscal code or protocol number: a trigram index needs three
LIST_COLUMNS = ("id", "tenant_id", "service_id", "service_version_id", "definition_hash", "applicant_name",
                "applicant_fiscal_code", "auth_method", "status", "created_at", "submitted_at",
                "latest_status_change_at", "operator_id", "office_id", "priority", "protocol_number", "due_on",
                "version")


@dataclass(frozen=True)
class ListQuery:
    q: str = ""
    service: str = ""
    status: int | None = None
    handling: str = ""
    overdue: bool = False  # "In ritardo": open applications past their latest completion date
    period: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "latest_status_change_at"
    direction: str = "desc"
    page: int = 1
    per_page: int = 20
    fields: tuple[str, ...] = field(default=())  # form fields chosen in "Opzioni tabella" (exports)

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments that reproduce this query (with `changes`), for links."""
        query = replace(self, **changes)
        raw = {"q": query.q, "service": query.service, "status": query.status, "handling": query.handling,
               "overdue": 1 if query.overdue else None, "period": query.period, "from": query.date_from,
               "to": query.date_to, "sort": query.sort,
               "dir": query.direction, "page": query.page if query.page > 1 else None,
               "fields": list(query.fields) or None}
        return {key: value for key, value in raw.items() if value not in (None, "")}


def _int(raw: str | None, default: int | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 9 else default


def _date(raw: str | None) -> date | None:
    return localtime.parse_day(raw)


def parse_query(args: Any, per_page: int = 20) -> ListQuery:
    """Tolerant: a value that makes no sense falls back to its default."""
    sort = args.get("sort", "")
    fields = tuple(args.getlist("fields")) if hasattr(args, "getlist") else ()
    return ListQuery(
        q=(args.get("q") or "").strip()[:100], service=(args.get("service") or "").strip()[:100],
        status=_int(args.get("status"), None),
        handling=args.get("handling") if args.get("handling") in HANDLING else "",
        overdue=args.get("overdue") in ("1", "on"),
        period=args.get("period") if args.get("period") in PERIODS else "",
        date_from=_date(args.get("from")), date_to=_date(args.get("to")),
        sort=sort if sort in SORTABLE else "latest_status_change_at",
        direction="asc" if args.get("dir") == "asc" else "desc",
        page=max(1, _int(args.get("page"), 1) or 1), per_page=per_page, fields=fields[:50],
    )


def period_bounds(query: ListQuery, today: date | None = None) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC of the chosen period of the last status change, days in Italian time."""
    today = today or localtime.today()
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    previous_first = (first - timedelta(days=1)).replace(day=1)
    # first and last day of each period, both included
    spans: dict[str, tuple[date | None, date | None]] = {
        "today": (today, today),
        "yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
        "this_week": (monday, monday + timedelta(days=6)),
        "last_week": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "this_month": (first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)),
        "last_month": (previous_first, first - timedelta(days=1)),
        "custom": (query.date_from, query.date_to),
    }
    start, last = spans.get(query.period, (None, None))
    return (localtime.start_of_day(start) if start else None, localtime.end_of_day(last) if last else None)


def find_service(tenant: Tenant, user: User, key: str) -> Service | None:
    """The filter's service, by slug or id, when the user is enabled for it."""
    if not key:
        return None
    sid = parse_uuid(key)
    query = scoped(Service, tenant).where(Service.id == sid if sid else Service.slug == key)
    service = db.session.scalar(query)
    if service is None or (user.role not in policy.SEES_ALL and service.id not in policy.enabled_service_ids(user)):
        return None
    return service


# Built once (every list page runs one): names only, no manifests to parse.
_PUBLISHED_SERVICES = (select(Service).where(Service.tenant_id == bindparam("tenant_id"),
                                             Service.current_version_id.is_not(None))
                       .order_by(Service.name).options(lazyload(Service.current_version)))
_OPERATORS_SERVICES = _PUBLISHED_SERVICES.where(  # a subquery: the ids need no statement of their own
    Service.id.in_(select(operator_services.c.service_id).where(operator_services.c.user_id == bindparam("user_id"))))


_CHOICES = {statement: statement.with_only_columns(Service.slug, Service.name)
            for statement in (_PUBLISHED_SERVICES, _OPERATORS_SERVICES)}


def services_for(tenant: Tenant, user: User) -> list[Service]:
    """The services the filter offers: enabled ones for operators, all for managers."""
    statement, values = _services_statement(tenant, user)
    return list(db.session.scalars(statement, values))


def service_choices(tenant: Tenant, user: User) -> list[tuple[str, str]]:
    """(slug, name) of the services the filter offers, as `services_for` finds them: plain rows, no objects."""
    statement, values = _services_statement(tenant, user)
    return [(slug, name) for slug, name in db.session.execute(_CHOICES[statement], values)]


def _services_statement(tenant: Tenant, user: User) -> tuple[Select[Any], dict[str, Any]]:
    if user.role in policy.SEES_ALL:
        return _PUBLISHED_SERVICES, {"tenant_id": tenant.id}
    return _OPERATORS_SERVICES, {"tenant_id": tenant.id, "user_id": user.id}


def status_options(version: ServiceVersion | None) -> list[tuple[int, str]]:
    """The statuses a service can reach, from its options (manual: no 15xx without payments)."""
    if version is None:
        return [(code, label) for code, label in statuses.LABELS.items() if code != statuses.DRAFT]
    options = options_of(version)
    codes = {statuses.PRE_SUBMIT, statuses.SUBMITTED, statuses.PENDING, statuses.COMPLETE, statuses.CANCELLED}
    protocol = options.protocol_required
    if protocol:
        codes |= {statuses.REGISTERED, statuses.COMPLETE_WAIT_PROTOCOL, statuses.CANCELLED_WAIT_PROTOCOL}
    if options.allow_integration_request:
        codes |= {statuses.REQUEST_INTEGRATION, statuses.DRAFT_FOR_INTEGRATION,
                  statuses.SUBMITTED_AFTER_INTEGRATION, statuses.PENDING_AFTER_INTEGRATION}
        if protocol:
            codes.add(statuses.REGISTERED_AFTER_INTEGRATION)
    if options.allow_partial_approval:
        codes.add(statuses.PARTIALLY_COMPLETE)
    if options.allow_withdraw:
        codes.add(statuses.WITHDRAW)
    if options.payment != "none":
        codes |= {1500, 1510, 1520, 1530}
    return [(code, statuses.label(code)) for code in sorted(codes)]


def _contains(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _id_bounds(word: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The ids that begin with `word` (hex digits, dashes where a uuid has them), as a range of the key."""
    text = word.lower()
    if "-" in text and any((char == "-") != (index in UUID_DASHES) for index, char in enumerate(text)):
        return None
    digits = text.replace("-", "")
    if not MIN_ID_PREFIX <= len(digits) < 32 or HEX.fullmatch(digits) is None:
        return None
    return uuid.UUID(digits.ljust(32, "0")), uuid.UUID(digits.ljust(32, "f"))


def _search(select: Select[Any], text: str) -> Select[Any]:
    """Any of: the id or its beginning, the fiscal code or part of it, the protocol number or part of it,
    every word in the applicant's name. Each is answered by an index (the key's range, the fiscal code's
    b-tree, trigram indexes on PostgreSQL for the parts), so the OR is a union of index scans."""
    app_id = parse_uuid(text)
    if app_id is not None:
        return select.where(Application.id == app_id)
    words = text.split()
    found = [and_(*(Application.applicant_name.ilike(_contains(word), escape="\\") for word in words))]
    if len(words) == 1:
        word = words[0]
        if FISCAL_CODE.fullmatch(word):
            found.append(Application.applicant_fiscal_code == word.upper())
        elif word.isalnum() and len(word) >= MIN_PART:
            found.append(Application.applicant_fiscal_code.ilike(_contains(word), escape="\\"))
        if any(char.isdigit() for char in word) and len(word) >= MIN_PART:
            found.append(Application.protocol_number.ilike(_contains(word), escape="\\"))
        bounds = _id_bounds(word)
        if bounds is not None:
            found.append(Application.id.between(*bounds))
    return select.where(or_(*found))


def filtered(tenant: Tenant, user: User, query: ListQuery) -> Select[Any]:
    """Visible applications (drafts never) matching the query, without ordering."""
    select = policy.visible_applications(user, tenant).where(Application.status != statuses.DRAFT)
    if query.q:
        select = _search(select, query.q)
    service = find_service(tenant, user, query.service)
    if query.service:
        select = select.where(Application.service_id == (service.id if service else None))
    if query.status is not None:
        select = select.where(Application.status == query.status)
    if query.handling == "mine":
        select = select.where(Application.operator_id == user.id)
    elif query.handling == "office":
        select = select.where(Application.office_id == user.office_id)
    elif query.handling == "waiting":
        select = select.where(Application.operator_id.is_(None), Application.status.in_(WAITING))
    if query.overdue:
        select = select.where(Application.due_on < localtime.today(), Application.status.not_in(statuses.FINAL))
    start, end = period_bounds(query)
    if start is not None:
        select = select.where(Application.latest_status_change_at >= start)
    if end is not None:
        select = select.where(Application.latest_status_change_at < end)
    return select


def ordered(select: Select[Any], query: ListQuery) -> Select[Any]:
    column = getattr(Application, query.sort)
    primary = column.asc() if query.direction == "asc" else column.desc()
    if query.sort in ("submitted_at",):
        primary = primary.nulls_last()
    tiebreak = Application.id.asc() if query.direction == "asc" else Application.id.desc()
    return select.order_by(primary, tiebreak)


# Built once, as every list page reads its rows with it: the columns the list shows and the names it needs.
_PAGE_ROWS = (
    select(Application).where(Application.id.in_(bindparam("ids", expanding=True)))
    .options(load_only(*(getattr(Application, c) for c in LIST_COLUMNS), raiseload=False),
             lazyload(Application.service_version),
             joinedload(Application.office).load_only(Office.id, Office.name),
             joinedload(Application.service).load_only(Service.id, Service.name, Service.slug),
             defaultload(Application.service).lazyload(Service.current_version),
             joinedload(Application.operator).load_only(User.id, User.name, User.family_name, User.username),
             defaultload(Application.operator).lazyload(User.services)))


@dataclass(frozen=True)
class Page:
    rows: list[Application]
    total: int
    query: ListQuery

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))


def list_page(tenant: Tenant, user: User, query: ListQuery) -> Page:
    """One page: the ids come from the covering list index alone (count, filter, sort, offset), then
    only those rows are read (a "deferred join"). The count rides on the ids' statement as a window over
    every match; only a page past the last one, which has no row to carry it, counts on its own."""
    select = filtered(tenant, user, query).with_only_columns(Application.id)
    found = db.session.execute(
        ordered(select.add_columns(func.count().over()), query)
        .offset((query.page - 1) * query.per_page).limit(query.per_page)).all()
    if not found:
        total = db.session.scalar(db.select(func.count()).select_from(select.order_by(None).subquery())) or 0
        return Page([], total, query)
    page_ids, total = [row[0] for row in found], found[0][1]
    loaded = db.session.scalars(_PAGE_ROWS, {"ids": page_ids}).unique()
    by_id = {row.id: row for row in loaded}
    return Page([by_id[i] for i in page_ids if i in by_id], total, query)
