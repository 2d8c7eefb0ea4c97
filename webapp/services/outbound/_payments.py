"""Payments: pagoPA notices (created by a service task), receipts, checkout, manual registration."""

from __future__ import annotations

import hmac
import logging
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app, has_request_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event, select

import connectors
from webapp.extensions import db
from webapp.models import Application, NoticeCounter, Payment, ServiceCallRow, Tenant, User
from webapp.models.payments import BOLLO, CANCELED, COMPLETE, EXPIRED, PAGOPA, PAYMENT_PENDING
from webapp.services.common import localtime
from webapp.services.common.errors import BadRequest, Conflict, NotFound, Unauthorized
from webapp.services.common.options import options_of
from webapp.services.common.signatures import require_signature
from webapp.services.common.tenancy import get_scoped, scoped

from . import _connectors, _notifications

log = logging.getLogger(__name__)
TRANSFER_CATEGORY = "9/0101100IM/"  # tassonomia: diritti di segreteria e di istruttoria


_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def expiry_delta(app: Application) -> timedelta:
    """The service's payment_expiry (ISO 8601: P30D, PT2H...), the same the process's timer waits."""
    raw = str(options_of(app.service_version).payment_expiry or current_app.config["PAYMENT_EXPIRY"]).upper()
    match = _DURATION.match(raw)
    if not match or not any(match.groups()):
        return timedelta(days=30)
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _next_notice_number(tenant_id: uuid.UUID) -> str:
    counter = db.session.get(NoticeCounter, tenant_id, with_for_update=True)
    if counter is None:
        counter = NoticeCounter(tenant_id=tenant_id, last_number=0)
        db.session.add(counter)
    counter.last_number += 1
    db.session.flush()
    segregation_code = current_app.config["PAGOPA_SEGREGATION_CODE"]
    return connectors.payments.notice_number_from_sequence(segregation_code, counter.last_number)


def _reason(app: Application, phase: str) -> str:
    label = "Diritti" if phase == "request" else "Oneri di rilascio"
    return f"{label} – {app.service.name}"[:140]


def prepare_position(app: Application, row: ServiceCallRow) -> dict[str, Any]:
    """Decide the notice once: a retried call sends the very same position (idempotent on IUPD/IUV)."""
    phase = str(row.params.get("phase") or "request")
    pending_stamps = sum(p.amount for p in _payments(app) if p.kind == BOLLO and p.phase == phase)
    amount = int(row.params.get("amount") or 0) - pending_stamps  # stamps are paid as stamps, not pagoPA
    tenant = db.session.get(Tenant, app.tenant_id)
    assert tenant is not None
    prepared: dict[str, Any] = {"phase": phase, "amount": amount, "reason": _reason(app, phase),
                                "tenant_id": str(tenant.id), "call_id": str(row.id)}
    if amount > 0:
        notice = _next_notice_number(tenant.id)
        iupd = connectors.payments.make_iupd(_connectors.ec_fiscal_code(tenant), str(row.id))
        prepared.update(notice_number=notice, iupd=iupd,
                        due=(datetime.now(UTC) + expiry_delta(app)).isoformat(), company=tenant.name,
                        iban=tenant.setting("iban") or current_app.config["PAGOPA_IBAN"],
                        debtor=[app.applicant_fiscal_code, app.applicant_name])
    return prepared


def create_position(prepared: dict[str, Any]) -> dict[str, Any]:
    """The external call (no transaction open). Nothing to create when only stamps are due."""
    if prepared["amount"] <= 0:
        return prepared
    tenant = db.session.get(Tenant, uuid.UUID(prepared["tenant_id"]))
    assert tenant is not None
    notice, amount, reason = prepared["notice_number"], prepared["amount"], prepared["reason"]
    option = connectors.PaymentOption(
        iuv=connectors.payments.iuv_of(notice), amount_cents=amount, description=reason,
        due_date=datetime.fromisoformat(prepared["due"]),
        transfers=(connectors.Transfer("1", amount, reason, TRANSFER_CATEGORY, iban=prepared["iban"]),))
    position = connectors.DebtPosition(iupd=prepared["iupd"], company_name=prepared["company"], options=(option,),
                                       debtor=connectors.Debtor(*prepared["debtor"]))
    state = _connectors.payment_gateway(tenant).create_debt_position(position, idempotency_key=prepared["call_id"])
    return {**prepared, "notice_number": state.notice_numbers[0]}


def apply_position(app: Application, row: ServiceCallRow, outcome: dict[str, Any] | None) -> dict[str, Any]:
    """The notice exists: the citizen hears once of all this phase asks of them (the notice, any stamps)."""
    assert outcome is not None
    if outcome["amount"] > 0:
        _add(Payment(
            tenant_id=app.tenant_id, application_id=app.id, user_id=app.user_id, kind=PAGOPA,
            phase=outcome["phase"], reason=outcome["reason"], amount=outcome["amount"], iupd=outcome["iupd"],
            notice_number=outcome["notice_number"], iuv=connectors.payments.iuv_of(outcome["notice_number"]),
            expire_at=datetime.fromisoformat(outcome["due"])))
    _notifications.payment_due(app, [p for p in _payments(app)
                                    if p.phase == outcome["phase"] and p.status == PAYMENT_PENDING])
    return {"notice_number": outcome.get("notice_number"), "amount": outcome["amount"]}


def prepare_mark_paid(app: Application, row: ServiceCallRow) -> dict[str, Any]:
    return {"tenant_id": str(app.tenant_id), "call_id": str(row.id), **row.params}


def mark_paid_on_pagopa(prepared: dict[str, Any]) -> dict[str, Any]:
    """After *Registra pagamento*: close the notice on pagoPA too, so it cannot be paid twice."""
    tenant = db.session.get(Tenant, uuid.UUID(prepared["tenant_id"]))
    assert tenant is not None
    _connectors.payment_gateway(tenant).mark_paid(
        prepared["notice_number"], datetime.fromisoformat(prepared["paid_at"]), idempotency_key=prepared["call_id"])
    return {"notice_number": prepared["notice_number"]}


def prepare_invalidate(app: Application, row: ServiceCallRow) -> dict[str, Any]:
    return {"tenant_id": str(app.tenant_id), "call_id": str(row.id), **row.params}


def invalidate_on_pagopa(prepared: dict[str, Any]) -> dict[str, Any]:
    """The application ended before payment: its notice must not stay payable on pagoPA."""
    tenant = db.session.get(Tenant, uuid.UUID(prepared["tenant_id"]))
    assert tenant is not None
    # Already INVALID counts as done (a retry after a lost answer); a position paid meanwhile is a conflict,
    # a permanent error: an incident for the operators, who see a payment for an application that ended.
    state = _connectors.payment_gateway(tenant).invalidate_debt_position(prepared["iupd"],
                                                                         idempotency_key=prepared["call_id"])
    return {"notice_number": prepared["notice_number"], "status": str(state.status)}


def read_position(tenant: Tenant, iupd: str) -> connectors.DebtPositionState:
    """The reconciliation's read (GPD GET), outside any transaction."""
    return _connectors.payment_gateway(tenant).get_debt_position(iupd)


def apply_marked_paid(app: Application, row: ServiceCallRow, outcome: dict[str, Any] | None) -> dict[str, Any]:
    return outcome or {}


def _add(payment: Payment) -> Payment:
    db.session.add(payment)
    db.session.flush()
    return payment


def _payments(app: Application) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(Payment.application_id == app.id)
                                   .order_by(Payment.created_at)))


# An application this request inserted, in a request whose session has written no payment, has none: the
# response that shows the new application need not ask. Only within a request (its session ends with it):
# a worker or a command may hold the object while payments are made elsewhere.
_FRESH = "_inserted_by_this_request"
_WROTE_PAYMENTS = "wrote_payments"


@event.listens_for(Session, "before_flush")
def _note_payments(session: Session, _context: Any, _instances: Any) -> None:
    if not session.info.get(_WROTE_PAYMENTS) and any(isinstance(row, Payment) for row in session.new):
        session.info[_WROTE_PAYMENTS] = True


def mark_inserted(app: Application) -> None:
    """`app` was inserted by the current request (see for_application)."""
    if has_request_context():
        app.__dict__[_FRESH] = True


def for_application(app: Application) -> list[Payment]:
    if app.__dict__.get(_FRESH) and not db.session().info.get(_WROTE_PAYMENTS):
        return []
    return _payments(app)


def all_paid(app: Application, phase: str) -> bool:
    due = [p for p in _payments(app) if p.phase == phase and p.status != EXPIRED]
    return bool(due) and all(p.status == COMPLETE for p in due)


def list_payments(tenant: Tenant, user: User, first_day: date | None = None,
                  last_day: date | None = None) -> list[Payment]:
    """The citizen's payments, newest first; optionally those created between two office days (inclusive)."""
    query = scoped(Payment, tenant).where(Payment.user_id == user.id).order_by(Payment.created_at.desc())
    if first_day is not None:
        query = query.where(Payment.created_at >= localtime.start_of_day(first_day))
    if last_day is not None:
        query = query.where(Payment.created_at < localtime.end_of_day(last_day))
    return list(db.session.scalars(query))


def get_payment(tenant: Tenant, user: User, payment_id: Any) -> Payment:
    payment = get_scoped(Payment, tenant, payment_id)
    if payment.user_id != user.id and not user.is_staff:
        raise NotFound()
    return payment


def notice_pdf(tenant: Tenant, payment: Payment) -> bytes:
    if payment.kind != PAGOPA or payment.notice_number is None:
        raise NotFound("Questo pagamento non ha un avviso pagoPA.")
    if payment.status in (CANCELED, EXPIRED):  # invalidated on pagoPA: a printed notice must not invite a payment
        raise Conflict("Questo avviso è stato annullato: non è più pagabile.")
    app = payment.application
    return connectors.payments.render_notice_pdf(connectors.payments.NoticeDocument(
        notice_number=payment.notice_number, ec_fiscal_code=_connectors.ec_fiscal_code(tenant), ec_name=tenant.name,
        amount_cents=payment.amount, due_date=localtime.local_day(payment.expire_at or localtime.now()),
        description=payment.reason, debtor_name=app.applicant_name, debtor_fiscal_code=app.applicant_fiscal_code))


def checkout_url(tenant: Tenant, user: User, payment_ids: list[Any], return_base: str) -> str:
    """One pagoPA checkout for 1..5 of the citizen's due notices, with one commission."""
    if not 1 <= len(payment_ids) <= connectors.payments.MAX_CART_NOTICES:
        raise BadRequest(f"Si possono pagare insieme da 1 a {connectors.payments.MAX_CART_NOTICES} avvisi.")
    chosen = [get_payment(tenant, user, pid) for pid in payment_ids]
    if any(p.kind != PAGOPA or p.status != PAYMENT_PENDING or p.user_id != user.id for p in chosen):
        raise Conflict("Uno degli avvisi scelti non è più da pagare.")
    ec = _connectors.ec_fiscal_code(tenant)
    cart = [connectors.CartNotice(str(p.notice_number), ec, p.amount, tenant.name, p.reason) for p in chosen]
    urls = connectors.ReturnUrls(ok=f"{return_base}?esito=ok", cancel=f"{return_base}?esito=annullato",
                                 error=f"{return_base}?esito=errore")
    key = "cart:" + ",".join(sorted(str(p.id) for p in chosen))
    gateway = _connectors.payment_gateway(tenant)  # a configuration error is ours, not pagoPA's: no 409
    try:
        session = gateway.create_checkout(cart, urls, idempotency_key=key, email=user.email)
    except connectors.ConnectorError as exc:
        log.warning("checkout not opened: %s", type(exc).__name__)
        raise Conflict("Il sistema pagoPA non è raggiungibile in questo momento: riprova tra poco.") from exc
    return session.url


def verify_pa_send_rt(tenant: Tenant, body: bytes, key: str | None) -> connectors.payments.SentReceipt:
    """pagoPA's own `paSendRT[V2]`: the station key, then the shape, then that it is meant for this ente."""
    expected = current_app.config["PAGOPA_RT_KEY"]
    if not expected or not key or not hmac.compare_digest(key.encode(), expected.encode()):
        raise Unauthorized("Chiave della stazione non valida.")
    try:
        sent = connectors.payments.parse_pa_send_rt(body)
    except connectors.ConnectorError as exc:
        raise BadRequest(f"Ricevuta non leggibile: {exc}") from exc
    station = current_app.config["PAGOPA_STATION_ID"]
    if sent.id_pa != _connectors.ec_fiscal_code(tenant) or (station and sent.id_station != station):
        raise NotFound("Ente o stazione sconosciuti.")
    return sent


def verify_receipt(body: bytes, signature: str | None) -> connectors.PaymentReceipt:
    require_signature(body, signature, "PAGOPA_WEBHOOK_SECRET")
    try:
        return connectors.payments.parse_receipt(body)
    except (connectors.ConnectorError, ValueError, KeyError) as exc:
        raise BadRequest("Ricevuta non leggibile.") from exc


def mark_paid(payment: Payment, paid_at: datetime, receipt: dict[str, Any] | None = None,
              by: User | None = None, reason: str | None = None) -> None:
    payment.status, payment.paid_at = COMPLETE, paid_at
    if receipt is not None:
        payment.receipt_id, payment.receipt = receipt["receipt_id"], receipt
    if by is not None:
        payment.registered_manually_by, payment.registered_manually_reason = by.id, reason


