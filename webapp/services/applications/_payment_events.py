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
from webapp.models import CALL_FAILED, Application, Payment, ServiceCallRow, StampUse, Tenant, User
from webapp.models.applications import DETACHED_PREFIX
from webapp.models.payments import BOLLO, CANCELED, COMPLETE, EXPIRED, PAGOPA, PAYMENT_PENDING
from webapp.services import outbound
from webapp.services.common import localtime, statuses
from webapp.services.common.errors import (
    DomainError,
    FieldProblem,
    NotFound,
    TransitionNotAllowed,
    ValidationFailed,
)
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


class ReceiptRefused(DomainError):
    """A receipt that contradicts our notice (another amount): refused, nothing changed, an incident raised."""

    status = 422
    title = "Ricevuta rifiutata"


RECEIPT_REFUSED = "payment.receipt_refused"


def receive_receipt(tenant: Tenant, receipt: connectors.PaymentReceipt, source: str = "webhook") -> str:
    """A verified pagoPA receipt: 'applied', 'duplicate', 'late' (for a notice closed before: kept, the
    office told) or 'ignored'. Unknown notices are a 404; a receipt whose amount is not the notice's is
    refused (422) and becomes an incident for the operators."""
    try:
        with unit_of_work():
            payment = _locked_payment(tenant, receipt.notice_number, receipt.ec_fiscal_code)
            if payment.status == COMPLETE:
                return "duplicate"  # a resent receipt, or one after reconciliation: one transition, one e-mail
            if receipt.outcome != "OK":
                return "ignored"
            if receipt.amount_cents != payment.amount:
                raise ReceiptRefused("L'importo della ricevuta non corrisponde all'avviso.")
            ended_as = payment.status
            mark_paid(payment, receipt.paid_at, {"receipt_id": receipt.receipt_id, "outcome": receipt.outcome,
                                                 "amount": receipt.amount_cents, "fee": receipt.fee_cents,
                                                 "paid_at": receipt.paid_at.isoformat(), "source": source,
                                                 "psp": receipt.psp_name})
            if ended_as in (CANCELED, EXPIRED):
                _paid_after_its_end(payment, receipt.receipt_id)
                return "late"
            resume_if_paid(_lock_application(payment.application_id), payment.phase, None)
    except ReceiptRefused:
        _record_refused_receipt(tenant, receipt, source)
        raise
    return "applied"


PAID_AFTER_END = "payment.paid_after_end"


def _paid_after_its_end(payment: Payment, receipt_id: str) -> None:
    """A receipt for a notice already closed (a payment the PSP started before the invalidation): the
    receipt is the proof that the money moved, so it is accepted and kept (pagoPA would send it again and
    again otherwise) and the citizen sees it paid; the ended application does not move, and the office gets
    an incident to refund or to reopen it. A resent copy finds the payment COMPLETE: one incident."""
    log.warning("pagoPA receipt %s for payment %s, closed before it was paid", receipt_id, payment.id)
    _detached_incident(payment, PAID_AFTER_END, f"{DETACHED_PREFIX}late:{payment.notice_number}",
                       "Pagamento ricevuto su pagoPA per un avviso già annullato: la pratica è chiusa. Valutare "
                       "il rimborso al cittadino o la riapertura della pratica.")


def _locked_payment(tenant: Tenant, notice_number: str, ec_fiscal_code: str) -> Payment:
    payment = db.session.scalar(scoped(Payment, tenant).where(
        Payment.notice_number == notice_number).with_for_update(of=Payment))
    if payment is None or ec_fiscal_code != outbound.ec_fiscal_code(tenant):
        raise NotFound("Avviso sconosciuto.")
    return payment


def _record_refused_receipt(tenant: Tenant, receipt: connectors.PaymentReceipt, source: str) -> None:
    """After the refusal rolled back: one incident per refused receipt, however many times it is sent."""
    with unit_of_work():
        payment = db.session.scalar(scoped(Payment, tenant).where(Payment.notice_number == receipt.notice_number))
        assert payment is not None
        log.warning("pagoPA receipt %s refused for payment %s: amount %s, notice %s (%s)", receipt.receipt_id,
                    payment.id, receipt.amount_cents, payment.amount, source)
        task_id = f"{DETACHED_PREFIX}receipt:{receipt.receipt_id}"[:64]
        if db.session.scalar(select(ServiceCallRow.id).where(ServiceCallRow.application_id == payment.application_id,
                                                             ServiceCallRow.task_id == task_id)) is not None:
            return
        try:
            with db.session.begin_nested():  # the same receipt refused twice at once: one incident
                db.session.add(ServiceCallRow(
                    tenant_id=payment.tenant_id, application_id=payment.application_id, bpmn_id="ricevuta_pagopa",
                    task_id=task_id, operation=RECEIPT_REFUSED, status=CALL_FAILED, attempts=1, max_attempts=1,
                    params={"notice_number": receipt.notice_number, "receipt_id": receipt.receipt_id,
                            "receipt_amount": receipt.amount_cents, "notice_amount": payment.amount,
                            "source": source},
                    last_error=(f"Ricevuta pagoPA {receipt.receipt_id} rifiutata: importo "
                                f"{connectors.payments.format_euro(receipt.amount_cents)} euro, avviso "
                                f"{connectors.payments.format_euro(payment.amount)} euro.")))
        except IntegrityError:
            return


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
    _queue_detached(app, f"{DETACHED_PREFIX}paid:{notice_number}", "payment.mark_paid",
                    {"notice_number": notice_number, "paid_at": paid_at.isoformat()}, "registra_pagamento")


def _queue_detached(app: Application, task_id: str, operation: str, params: dict[str, Any],
                    bpmn_id: str = "pagamento_pagopa") -> None:
    """A call run by a worker after commit, retried and then an incident like every external call."""
    row = ServiceCallRow(tenant_id=app.tenant_id, application_id=app.id, bpmn_id=bpmn_id,
                         task_id=task_id, operation=operation, max_attempts=5, params=params)
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


POSITION_INVALID = "payment.position_invalid"


def reconcile_payment(payment_id: Any, state: connectors.DebtPositionState, now: datetime | None = None) -> str:
    """What pagoPA's debt position says of a notice we still wait for, applied once under the row lock:
    'paid', 'refused' (an amount that is not ours), 'cancelled' (invalidated on pagoPA), 'waiting' or 'skipped'."""
    now = now or datetime.now(UTC)
    try:
        with unit_of_work():
            payment = db.session.scalar(select(Payment).where(Payment.id == payment_id).with_for_update(of=Payment))
            if payment is None or payment.status != PAYMENT_PENDING:
                return "skipped"  # a receipt (or the operator) got there first
            payment.checked_at = now
            option = next((o for o in state.options if o.notice_number == payment.notice_number), None)
            paid = state.status in PAID_STATES or (option is not None and option.status == "PO_PAID")
            if paid:
                if option is not None and option.amount_cents != payment.amount:
                    raise ReceiptRefused("L'importo pagato su pagoPA non corrisponde all'avviso.")
                paid_at = (option.payment_date if option else None) or state.payment_date or datetime.now(UTC)
                mark_paid(payment, paid_at, {"receipt_id": None, "outcome": "OK", "amount": payment.amount,
                                             "fee": 0, "paid_at": paid_at.isoformat(), "source": "reconciliation",
                                             "gpd_status": str(state.status)})
                resume_if_paid(_lock_application(payment.application_id), payment.phase, None)
                return "paid"
            if state.status == connectors.PositionStatus.INVALID:
                payment.status = CANCELED
                _detached_incident(payment, POSITION_INVALID, f"{DETACHED_PREFIX}invalid:{payment.notice_number}",
                                   "L'avviso è stato annullato su pagoPA fuori dalla piattaforma: il cittadino non "
                                   "può più pagarlo.")
                return "cancelled"
            # EXPIRED: the process's own expiry timer (the same due date) stops the application and the payment.
            return "waiting"
    except ReceiptRefused:
        with unit_of_work():
            payment = db.session.get(Payment, payment_id)
            assert payment is not None
            payment.checked_at = now
            log.warning("pagoPA position %s paid with another amount than payment %s", payment.iupd, payment.id)
            _detached_incident(payment, RECEIPT_REFUSED, f"{DETACHED_PREFIX}gpd:{payment.notice_number}",
                               "La posizione su pagoPA risulta pagata con un importo diverso dall'avviso.")
        return "refused"


PAID_STATES = frozenset({connectors.PositionStatus.PAID, connectors.PositionStatus.REPORTED})


def _detached_incident(payment: Payment, operation: str, task_id: str, text: str) -> None:
    """An incident the operators see (and close with "Riprova"), created at most once per task id."""
    task_id = task_id[:64]
    if db.session.scalar(select(ServiceCallRow.id).where(ServiceCallRow.application_id == payment.application_id,
                                                         ServiceCallRow.task_id == task_id)) is not None:
        return
    db.session.add(ServiceCallRow(tenant_id=payment.tenant_id, application_id=payment.application_id,
                                  bpmn_id="pagamento_pagopa", task_id=task_id, operation=operation,
                                  status=CALL_FAILED, attempts=1, max_attempts=1,
                                  params={"notice_number": payment.notice_number}, last_error=text))
    db.session.flush()


# The application's end with a notice unpaid, and what the notice becomes: the notice expired unpaid (the
# process's timer, 1530) is EXPIRED, the others CANCELED; on pagoPA both are invalidated, because pagoPA
# does not refuse a late payment by itself (its own switch to EXPIRED runs on its own schedule).
CANCELLING_STATUSES = {statuses.WITHDRAW: CANCELED, statuses.CANCELLED: CANCELED, statuses.REVOKED: CANCELED,
                       statuses.PAYMENT_ERROR: EXPIRED}


def cancel_unpaid_notices(app: Application) -> int:
    """Inside the caller's unit of work: an application withdrawn, rejected, annulled or stopped by its
    expired notice with pagoPA notices still unpaid closes them here and queues their invalidation on
    pagoPA, so nobody pays for nothing."""
    ended_as = CANCELLING_STATUSES.get(app.status or 0)
    if ended_as is None:
        return 0
    due = list(db.session.scalars(select(Payment).where(
        Payment.application_id == app.id, Payment.status == PAYMENT_PENDING).with_for_update(of=Payment)))
    for payment in due:
        payment.status = ended_as
        if payment.kind == PAGOPA and payment.iupd:
            _queue_detached(app, f"{DETACHED_PREFIX}invalidate:{payment.notice_number}", "payment.invalidate",
                            {"iupd": payment.iupd, "notice_number": payment.notice_number})
    return len(due)


def on_application_status_changed(app: Application, *, previous_status: int | None,
                                  changes: Sequence[Any]) -> None:
    """Receiver of `signals.application_status_changed`: unpaid notices follow their application's end."""
    if app.status != previous_status:
        cancel_unpaid_notices(app)
