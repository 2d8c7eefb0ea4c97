"""The application's history: one row per event, with who did it (a citizen, an operator, the system)."""

from __future__ import annotations

from typing import Any

from webapp.extensions import db
from webapp.models import Application, StatusChange, User

SYSTEM = "system"
ANONYMOUS = "Segnalazione anonima"  # the applicant's name where the service lets them stay anonymous


def actor_fields(actor: User | None, app: Application | None = None) -> dict[str, Any]:
    if actor is None:
        return {"actor_type": SYSTEM, "actor_id": None, "actor_name": "Sistema"}
    kind = "citizen" if actor.role == "citizen" else "operator"
    anonymous = app is not None and actor.id == app.user_id and app.applicant_name == ANONYMOUS
    return {"actor_type": kind, "actor_id": actor.id, "actor_name": ANONYMOUS if anonymous else actor.full_name}


def make_anonymous(app: Application) -> None:
    """The office sees neither the name nor the fiscal code of an anonymous report's author, nor in its
    history; the author still follows it in their Area personale."""
    app.applicant_name, app.applicant_fiscal_code = ANONYMOUS, ""
    for row in db.session.scalars(db.select(StatusChange).where(StatusChange.application_id == app.id,
                                                               StatusChange.actor_id == app.user_id)):
        row.actor_name = ANONYMOUS


def record_event(app: Application, actor: User | None, event: str, note: str | None = None,
                 status: int | None = None) -> StatusChange:
    """A history row; same-status events (re-assignment, take-over) are recorded too."""
    row = StatusChange(tenant_id=app.tenant_id, application_id=app.id, status=status or app.status,
                       event=event, note=note, **actor_fields(actor, app))
    db.session.add(row)
    return row
