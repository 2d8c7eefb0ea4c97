"""What the back office does when an application changes status (called from workflow.persist).

Kept in one function so that the process glue has a single, marked hook line.
"""

from __future__ import annotations

from datetime import UTC, datetime

from webapp.models import Application
from webapp.services import assignment, meetings, operators, statuses


def on_status_change(app: Application, previous: int | None) -> None:
    """After `app.status` changed from `previous`: automatic office assignment, linked appointments,
    then operators' e-mails."""
    assignment.auto_assign(app)
    meetings.follow_application(app, datetime.now(UTC))
    if app.status != statuses.PRE_SUBMIT:  # "Inviata" lasts until the receipt is ready: no e-mail for it
        operators.notify_operators(app, app.status)
