"""Reconciliation (Celery beat): notices still waiting for their receipt are read on pagoPA (GPD GET).

A receipt may never come (a station down, a lost delivery, an ente that receives none): only a receipt or
the debt position read here as PAID marks a payment paid. Each payment is read at most every
PAGOPA_RECONCILE_EVERY seconds, once it has waited PAGOPA_RECONCILE_AFTER; what is found is applied under
the payment's row lock, so a receipt arriving at the same time (or afterwards) changes nothing more.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

import connectors
from webapp.extensions import db
from webapp.models import Payment, Tenant
from webapp.models.payments import PAGOPA, PAYMENT_PENDING
from webapp.services import applications, outbound

log = logging.getLogger(__name__)


def _due(now: datetime, limit: int) -> list[tuple[object, object, str]]:
    after = timedelta(seconds=current_app.config["PAGOPA_RECONCILE_AFTER"])
    every = timedelta(seconds=current_app.config["PAGOPA_RECONCILE_EVERY"])
    rows = db.session.execute(
        select(Payment.id, Payment.tenant_id, Payment.iupd).where(
            Payment.kind == PAGOPA, Payment.status == PAYMENT_PENDING, Payment.iupd.is_not(None),
            Payment.created_at <= now - after, or_(Payment.checked_at.is_(None), Payment.checked_at <= now - every))
        .order_by(Payment.checked_at.asc().nulls_first(), Payment.created_at).limit(limit)).all()
    return [(row.id, row.tenant_id, str(row.iupd)) for row in rows]


def reconcile_payments(now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Read each due notice's position and apply it; returns how many ended how ('paid', 'waiting'...)."""
    now = now or datetime.now(UTC)
    due = _due(now, limit)
    db.session.rollback()  # no transaction stays open while pagoPA answers
    outcomes: Counter[str] = Counter()
    for payment_id, tenant_id, iupd in due:
        tenant = db.session.get(Tenant, tenant_id)
        assert tenant is not None
        try:
            state = outbound.read_position(tenant, iupd)
        except connectors.ConnectorError as exc:  # pagoPA unreachable: the next run asks again
            log.warning("reconciliation: position %s not read: %s", iupd, type(exc).__name__)
            outcomes["unreachable"] += 1
            continue
        finally:
            db.session.rollback()
        outcomes[applications.reconcile_payment(payment_id, state, now)] += 1
    if due:
        log.info("reconciliation: %s", dict(outcomes))
    return dict(outcomes)
