"""The application's history: one row per event, with who did it (a citizen, an operator, the system)."""

from __future__ import annotations

from typing import Any

from webapp.extensions import db
from webapp.models import Application, StatusChange, User

SYSTEM = "system"


def actor_fields(actor: User | None) -> dict[str, Any]:
    if actor is None:
        return {"actor_type": SYSTEM, "actor_id": None, "actor_name": "Sistema"}
    kind = "citizen" if actor.role == "citizen" else "operator"
    return {"actor_type": kind, "actor_id": actor.id, "actor_name": actor.full_name}


def record_event(app: Application, actor: User | None, event: str, note: str | None = None,
                 status: int | None = None) -> StatusChange:
    """A history row; same-status events (re-assignment, take-over) are recorded too."""
    row = StatusChange(tenant_id=app.tenant_id, application_id=app.id, status=status or app.status,
                       event=event, note=note, **actor_fields(actor))
    db.session.add(row)
    return row
