"""What happens to payments after they exist: receipts, stamps, manual registration, expiry."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import connectors
from webapp.extensions import db
from webapp.models import Application, Payment, ServiceCallRow, StampUse, Tenant, User
from webapp.models.applications import DETACHED_PREFIX
from webapp.models.payments import BOLLO, COMPLETE, PAYMENT_PENDING
from webapp.services import outbound
from webapp.services.common import localtime
from webapp.services.common.errors import BadRequest, FieldProblem, NotFound, TransitionNotAllowed, ValidationFailed
from webapp.services.common.tenancy import scoped
from webapp.services.common.uow import after_commit, unit_of_work
from webapp.services.outbound import all_paid, get_payment, mark_paid

from . import _process
from ._commands import StampRequest

log = logging.getLogger(__name__)
PAYMENT_RECEIVED = "payment_received"


def resume_if_paid(app: Application, phase: str, actor: User | None, note: str | None = None) -> bool:
    """Move the process on once every payment of the phase is paid (a late one is only recorded)."""
    if not all_paid(app, phase):
        return False
    if PAYMENT_RECEIVED not in app.waits.get("messages", []):
        log.info("payment for application %s recorded, but the process no longer waits for it", app.id)
        return False
    _process.send_message(app, PAYMENT_RECEIVED, actor, "payment_received", note, {"phase": phase})
    return True


def _lock_application(app_id: Any) -> Application:
    app = db.session.scalar(select(Application).where(Application.id == app_id).with_for_update(of=Application))
    assert app is not None
    return app


def receive_receipt(tenant: Tenant, receipt: connectors.PaymentReceipt) -> str:
    """A verified pagoPA receipt: 'applied', 'duplicate' or 'ignored'. Unknown notices are a 404."""
    with unit_of_work():
        payment = db.session.scalar(scoped(Payment, tenant).where(
            Payment.notice_number == receipt.notice_number).with_for_update(of=Payment))
        if payment is None or receipt.ec_fiscal_code != outbound.ec_fiscal_code(tenant):
            raise NotFound("Avviso sconosciuto.")
        if payment.status == COMPLETE:
            return "duplicate"  # a resent receipt: one transition, one e-mail
        if receipt.outcome != "OK":
            return "ignored"
        if receipt.amount_cents != payment.amount:
            raise BadRequest("L'importo della ricevuta non corrisponde all'avviso.")
        mark_paid(payment, receipt.paid_at, {"receipt_id": receipt.receipt_id, "outcome": receipt.outcome,
                                             "amount": receipt.amount_cents, "fee": receipt.fee_cents,
                                             "paid_at": receipt.paid_at.isoformat()})
        resume_if_paid(_lock_application(payment.application_id), payment.phase, None)
    return "applied"


def register_manually(app: Application, user: User, reason: str) -> list[Payment]:
    """*Registra pagamento*: the operator records a payment made elsewhere. Irreversible."""
    due = [p for p in db.session.scalars(select(Payment).where(Payment.application_id == app.id,
                                                               Payment.status == PAYMENT_PENDING))]
    if not due or PAYMENT_RECEIVED not in app.waits.get("messages", []):
        raise TransitionNotAllowed("La pratica non è in attesa di un pagamento.", application_status=app.status)
    now = datetime.now(UTC)
    for payment in due:
        mark_paid(payment, now, by=user, reason=reason)
        if payment.notice_number:  # so the citizen cannot pay the notice a second time on pagoPA
            _queue_mark_paid(app, payment.notice_number, now)
    resume_if_paid(app, due[0].phase, user, reason)
    return due


def _queue_mark_paid(app: Application, notice_number: str, paid_at: datetime) -> None:
    """A call run by a worker after commit, retried and then an incident like every external call."""
    row = ServiceCallRow(tenant_id=app.tenant_id, application_id=app.id, bpmn_id="registra_pagamento",
                         task_id=f"{DETACHED_PREFIX}paid:{notice_number}", operation="payment.mark_paid",
                         max_attempts=5, params={"notice_number": notice_number, "paid_at": paid_at.isoformat()})
    db.session.add(row)
    db.session.flush()
    call_id = str(row.id)
    after_commit(lambda: _process.dispatch(call_id))


def _stamp_problem(exc: connectors.payments.StampValidationError, base: str) -> ValidationFailed:
    field = {"identifier": "identificativo", "issue_date": "data_emissione"}.get(exc.field, exc.field)
    return ValidationFailed([FieldProblem(f"{base}/{field}", exc.message, "format")])


def use_stamp(app: Application, identifier: str, issued_on: str, base: str) -> connectors.payments.StampData:
    """Validate a marca da bollo and record its use; a stamp serves once in the tenant."""
    try:
        stamp = connectors.payments.validate_stamp(identifier, issued_on, submitted_on=localtime.today())
    except connectors.payments.StampValidationError as exc:
        raise _stamp_problem(exc, base) from exc
    used = ValidationFailed([FieldProblem(f"{base}/identificativo",
                                          "Questa marca da bollo è già stata utilizzata.", "unique")])
    key = connectors.payments.normalize_stamp_identifier(identifier)
    if db.session.scalar(select(StampUse.id).where(StampUse.tenant_id == app.tenant_id,
                                                   StampUse.identifier == key)) is not None:
        raise used
    try:
        with db.session.begin_nested():  # a concurrent use of the same stamp loses on the constraint
            db.session.add(StampUse(tenant_id=app.tenant_id, application_id=app.id, identifier=key,
                                    issued_on=stamp.issue_date.isoformat()))
    except IntegrityError as exc:
        raise used from exc
    return stamp


def stamp_at_request(app: Application, data: dict[str, Any], active_fields: set[str]) -> None:
    """A form's `marca_da_bollo` {identificativo, data_emissione}, entered by the citizen at submission.

    Only where the form asks for it (e.g. a copia conforme): a stamp is never used up by accident.
    """
    given = data.get("marca_da_bollo")
    if not isinstance(given, dict) or "marca_da_bollo" not in active_fields:
        return
    use_stamp(app, str(given.get("identificativo", "")), str(given.get("data_emissione", "")), "/marca_da_bollo")
    db.session.add(Payment(
        tenant_id=app.tenant_id, application_id=app.id, user_id=app.user_id, kind=BOLLO, phase="request",
        status=COMPLETE, reason="Imposta di bollo", amount=connectors.payments.DEFAULT_STAMP_AMOUNT_CENTS,
        stamp_identifier=connectors.payments.normalize_stamp_identifier(str(given["identificativo"])),
        stamp_issued_on=str(given["data_emissione"]), paid_at=datetime.now(UTC)))


def provide_stamp(tenant: Tenant, user: User, payment_id: Any, identifier: str, issued_on: str) -> Payment:
    """The citizen provides a stamp the office requested at release."""
    with unit_of_work():
        payment = get_payment(tenant, user, payment_id)
        if payment.kind != BOLLO or payment.status != PAYMENT_PENDING or payment.user_id != user.id:
            raise TransitionNotAllowed("Questa marca da bollo non è richiesta.", application_status=None)
        app = _lock_application(payment.application_id)
        use_stamp(app, identifier, issued_on, "")
        payment.stamp_identifier = connectors.payments.normalize_stamp_identifier(identifier)
        payment.stamp_issued_on = issued_on
        mark_paid(payment, datetime.now(UTC))
        resume_if_paid(app, payment.phase, user)
    return payment


def request_at_release(app: Application, payment_amount: Any, stamps: Sequence[StampRequest]) -> int:
    """The operator's approval asks for a deferred payment and/or stamps: the total the process waits for."""
    total = 0
    for index, stamp in enumerate(stamps):
        amount = _cents(stamp.amount, f"/stamps/{index}/amount", connectors.payments.DEFAULT_STAMP_AMOUNT_CENTS)
        reason = stamp.reason
        db.session.add(Payment(tenant_id=app.tenant_id, application_id=app.id, user_id=app.user_id, kind=BOLLO,
                               phase="release", reason=str(reason or "Imposta di bollo")[:140], amount=amount))
        total += amount
    total += _cents(payment_amount, "/payment/amount", 0)
    return total


MAX_CENTS = 10**9


def _cents(raw: Any, pointer: str, default: int) -> int:
    """An amount in cents from the API: a whole number from 1 to ten million euro (missing: `default`)."""
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw <= MAX_CENTS:
        raise ValidationFailed([FieldProblem(pointer, "Importo in centesimi: un numero intero positivo.", "type")])
    return raw
