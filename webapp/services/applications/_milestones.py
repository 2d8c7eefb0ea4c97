"""An application's milestones: when the ente received it (and told the citizen so, in the Area personale),
when an office took it in charge, and the latest date by which it is concluded.

They are noted from the statuses a step enters, whatever path took it there (the standard lifecycle, a
service's own process, a submission made through the API), so each is noted once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from flask_babel import force_locale, gettext

from webapp.extensions import db
from webapp.models import APPLICANT, Application, Message, StatusChange, Tenant
from webapp.services import outbound
from webapp.services.common import formatting, localtime, statuses
from webapp.services.common.options import options_of

ACKNOWLEDGEMENT = "Domanda ricevuta"  # the subject of the ente's message that acknowledges a submission


def due_on(received: datetime, term_days: int | None) -> date | None:
    """The latest completion date: the day (in Rome) the ente received it plus the service's term."""
    if not term_days:
        return None
    return localtime.local_day(received) + timedelta(days=term_days)


def is_overdue(app: Application, today: date | None = None) -> bool:
    """Still open past its latest completion date."""
    return (app.due_on is not None and app.status not in statuses.FINAL
            and app.due_on < (today or localtime.today()))


def note_milestones(app: Application, changes: Sequence[StatusChange], *, citizen_told: bool = False) -> None:
    """Inside the step's unit of work, with its history rows added (flushed or not)."""
    for change in changes:
        moment = localtime.aware(change.created_at) if change.created_at else localtime.now()
        if app.received_at is None and change.status >= statuses.PRE_SUBMIT:
            app.received_at = moment
            app.due_on = due_on(moment, options_of(app.service_version).max_response_time)
            _acknowledge(app, by_email=not citizen_told)
        if app.taken_in_charge_at is None and change.status == statuses.PENDING:
            app.taken_in_charge_at = moment


def _acknowledge(app: Application, *, by_email: bool) -> None:
    """The ente's message "Domanda ricevuta", with the number, the date and the link to the application
    (and its e-mail where no other one tells the receipt: one e-mail either way)."""
    tenant = db.session.get(Tenant, app.tenant_id)
    assert tenant is not None and app.received_at is not None
    language = str((app.user.identity or {}).get("language") or "it") if app.user else "it"
    link = outbound.citizen_link(app, tenant)
    with force_locale(language):
        subject = gettext("Domanda ricevuta")  # ACKNOWLEDGEMENT, in the citizen's language
        body = gettext("Abbiamo ricevuto la tua domanda n. %(number)s per il servizio «%(service)s» il "
                       "%(date)s.", number=app.id, service=app.service.name,
                       date=formatting.datetime_text(app.received_at))
        if app.due_on is not None:
            body += " " + gettext("La pratica sarà conclusa entro il %(date)s.",
                                  date=formatting.date_text(app.due_on))
        body += " " + gettext("Puoi seguirla nella tua Area personale: %(link)s", link=link)
    # Its id is given here, not by a flush: the step's one flush at the end inserts it with the rest.
    message = Message(id=uuid.uuid4(), tenant_id=app.tenant_id, application_id=app.id, author_id=None,
                      author_name=tenant.name, subject=subject, body=body, visibility=APPLICANT)
    db.session.add(message)
    if by_email:
        outbound.submission_acknowledged(app, message)
