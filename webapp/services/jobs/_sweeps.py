"""The periodic sweep (Celery beat): due timers fire; work that never reached a worker is sent again.

Everything it touches is idempotent, so a sweep that overlaps a worker or another sweep does no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select

import engine
from webapp.extensions import db
from webapp.models import Application, ProtocolRegistration, ServiceCallRow
from webapp.services import applications, appointments, outbound
from webapp.services.common.uow import unit_of_work
from webapp.services.outbound import DISPATCHER as OUTBOX_DISPATCHER

log = logging.getLogger(__name__)
GRACE = timedelta(seconds=60)  # younger work is probably still on its way to a worker


@dataclass(frozen=True)
class SweepReport:
    timers_fired: int
    calls_redispatched: int
    mails_redispatched: int
    drafts_expired: int = 0


def fire_due_timers(now: datetime | None = None, limit: int = 200) -> int:
    """Advance every application whose next timer is due; each in its own transaction."""
    now = now or datetime.now(UTC)
    due = list(db.session.scalars(select(Application.id).where(Application.next_timer_at <= now)
                                  .order_by(Application.next_timer_at).limit(limit)))
    fired = 0
    for app_id in due:
        with unit_of_work():
            app = db.session.scalar(select(Application).where(Application.id == app_id)
                                    .with_for_update(skip_locked=True, of=Application))
            if app is None or app.next_timer_at is None or app.next_timer_at > now:
                continue  # busy elsewhere or already handled
            instance = applications.restore(app)
            try:
                wait = instance.fire_due_timers(now)
            except engine.EngineError as exc:
                raise applications.process_failed(app, exc) from exc
            applications.persist(app, instance, wait, None, "timer")
            fired += 1
    return fired


def _redispatch(ids: list[str], dispatch: Callable[[str], None]) -> int:
    for item in ids:
        dispatch(item)
    return len(ids)


def sweep(now: datetime | None = None) -> SweepReport:
    now = now or datetime.now(UTC)
    fired = fire_due_timers(now)
    # A registration an external register numbers is not lost work: it waits for the register's report.
    external = select(ProtocolRegistration.call_id).where(ProtocolRegistration.handler == applications.EXTERNAL,
                                                          ProtocolRegistration.call_id.is_not(None))
    stale_calls = [str(i) for i in db.session.scalars(
        select(ServiceCallRow.id).where(ServiceCallRow.status == "pending", ServiceCallRow.created_at < now - GRACE,
                                        ServiceCallRow.id.not_in(external)))]
    calls = _redispatch(stale_calls, current_app.extensions[applications.DISPATCHER])
    mails = _redispatch(outbound.pending_ids(older_than=now - GRACE), current_app.extensions[OUTBOX_DISPATCHER])
    drafts = appointments.expire_drafts(now)
    report = SweepReport(fired, calls, mails, drafts)
    if fired or calls or mails or drafts:
        log.info("sweep: %s", report)
    return report
