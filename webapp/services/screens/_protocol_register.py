"""The ente's protocol register as the back office reads it: every registration of the applications the
user may see, with its stage, direction, number, document and state; filters, paging and a CSV export.

A registration's state is not stored: it has a number (registered), or its service call ran out of
attempts (failed: an incident on the application), or it waits for the register's number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_

from webapp.extensions import db
from webapp.models import CALL_FAILED, Application, ProtocolRegistration, Service, ServiceCallRow, Tenant, User
from webapp.services.common import localtime, policy
from webapp.services.common.statuses import N_
from webapp.services.common.tabular import csv_text, safe_cell

from . import _office_list

STAGE_LABELS = {
    "application": N_("Domanda"),
    "integration_request": N_("Richiesta di integrazioni"),
    "integration_answer": N_("Integrazioni del richiedente"),
    "outcome": N_("Esito"),
    "withdrawal": N_("Ritiro della domanda"),
}
DIRECTION_LABELS = {"in": N_("In entrata"), "out": N_("In uscita")}
REGISTERED, WAITING, FAILED = "registered", "waiting", "failed"
STATE_LABELS = {
    WAITING: N_("In attesa del numero di protocollo"),
    REGISTERED: N_("Protocollata"),
    FAILED: N_("Protocollazione non riuscita"),
}
# The three label tables together, as the pages' shared cells macro takes them.
REGISTRATION_LABELS = {"stages": STAGE_LABELS, "states": STATE_LABELS, "directions": DIRECTION_LABELS}
CSV_HEADER = (N_("Numero"), N_("Anno"), N_("Data di protocollo"), N_("Fase"), N_("Direzione"), N_("Servizio"),
              N_("ID pratica"), N_("Stato"), N_("Identificativo del documento"))


@dataclass(frozen=True)
class RegisterQuery:
    stage: str = ""
    state: str = ""
    period: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    per_page: int = 20

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments that reproduce this query (with `changes`), for links."""
        query = replace(self, **changes)
        raw = {"stage": query.stage, "state": query.state, "period": query.period, "from": query.date_from,
               "to": query.date_to, "page": query.page if query.page > 1 else None}
        return {key: value for key, value in raw.items() if value not in (None, "")}


def parse_register_query(args: Any, per_page: int = 20) -> RegisterQuery:
    """Tolerant, as the applications list: a value that makes no sense falls back to its default."""
    stage, state, period = args.get("stage", ""), args.get("state", ""), args.get("period", "")
    page = args.get("page") or ""
    return RegisterQuery(
        stage=stage if stage in STAGE_LABELS else "", state=state if state in STATE_LABELS else "",
        period=period if period in _office_list.PERIODS else "",
        date_from=localtime.parse_day(args.get("from")), date_to=localtime.parse_day(args.get("to")),
        page=max(1, int(page)) if page.isdigit() and len(page) < 7 else 1, per_page=per_page)


@dataclass(frozen=True)
class Entry:
    registration: ProtocolRegistration
    state: str
    moment: datetime  # registered_at, or when it was opened while it waits
    service_name: str


@dataclass(frozen=True)
class RegisterPage:
    rows: list[Entry]
    total: int
    query: RegisterQuery

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))


def _moment() -> Any:
    return func.coalesce(ProtocolRegistration.registered_at, ProtocolRegistration.created_at)


def _filtered(tenant: Tenant, user: User, query: RegisterQuery) -> Select[Any]:
    select = _with_service_and_call(policy.visible_protocol_registrations(user, tenant))
    if query.stage:
        select = select.where(ProtocolRegistration.stage == query.stage)
    unnumbered = ProtocolRegistration.number.is_(None)
    failed = ServiceCallRow.status == CALL_FAILED
    if query.state == REGISTERED:
        select = select.where(ProtocolRegistration.number.is_not(None))
    elif query.state == FAILED:
        select = select.where(and_(unnumbered, failed))
    elif query.state == WAITING:
        select = select.where(unnumbered, or_(ServiceCallRow.status.is_(None), ServiceCallRow.status != CALL_FAILED))
    start, end = _office_list.period_bounds(_office_list.ListQuery(
        period=query.period, date_from=query.date_from, date_to=query.date_to))
    if start is not None:
        select = select.where(_moment() >= start)
    if end is not None:
        select = select.where(_moment() < end)
    return select


def _with_service_and_call(select: Select[Any]) -> Select[Any]:
    """Each registration with its service call's status (for its state) and its service's name."""
    return (select.add_columns(ServiceCallRow.status, Service.name).select_from(ProtocolRegistration)
            .join(Application, Application.id == ProtocolRegistration.application_id)
            .join(Service, Service.id == Application.service_id)
            .outerjoin(ServiceCallRow, ServiceCallRow.id == ProtocolRegistration.call_id))


def _state(registration: ProtocolRegistration, call_status: str | None) -> str:
    if registration.number:
        return REGISTERED
    return FAILED if call_status == CALL_FAILED else WAITING


def _entries(select: Select[Any]) -> Iterator[Entry]:
    for registration, call_status, service_name in db.session.execute(select):
        yield Entry(registration, _state(registration, call_status),
                    registration.registered_at or registration.created_at, service_name)


def _loaded(select: Select[Any]) -> Select[Any]:
    return select.order_by(_moment().desc(), ProtocolRegistration.id.desc())


def register_page(tenant: Tenant, user: User, query: RegisterQuery) -> RegisterPage:
    """One page of the register, newest first."""
    select = _filtered(tenant, user, query)
    total = db.session.scalar(db.select(func.count()).select_from(
        select.with_only_columns(ProtocolRegistration.id).order_by(None).subquery())) or 0
    page = _loaded(select).offset((query.page - 1) * query.per_page).limit(query.per_page)
    return RegisterPage(list(_entries(page)), total, query)


def register_csv(tenant: Tenant, user: User, query: RegisterQuery,
                 translate: Callable[[str], str] = lambda text: text) -> Iterator[str]:
    """The whole filtered register (no paging) as CSV, labels in the reader's language."""
    def rows() -> Iterator[list[str]]:
        yield [translate(label) for label in CSV_HEADER]
        for entry in _entries(_loaded(_filtered(tenant, user, query))):
            r = entry.registration
            yield [safe_cell(cell) for cell in (
                r.number, str(r.year) if r.year else "", r.registered_at, translate(STAGE_LABELS.get(r.stage, r.stage)),
                translate(DIRECTION_LABELS.get(r.direction, r.direction)), entry.service_name,
                str(r.application_id), translate(STATE_LABELS[entry.state]), r.document_id)]
    return csv_text(rows())


def application_registrations(app: Application) -> list[Entry]:
    """The registrations of one application the caller may already see (its Protocollo tab), oldest first."""
    select = (_with_service_and_call(db.select(ProtocolRegistration))
              .where(ProtocolRegistration.application_id == app.id)
              .order_by(ProtocolRegistration.created_at, ProtocolRegistration.id))
    return list(_entries(select))
