"""Automatic assignment to an office by the value of a form field (manual: assegnazione automatica).

The service manifest lists the rules, first match wins:

    options:
      assignment_rules:
        - {field: tipo_richiesta, value: "contributo affitto", office: "Ufficio Servizi Sociali"}

When the application reaches 2000 (Acquisita) or 3000 (Protocollata) without an office, the first
rule whose field equals its value sends it to that office (by name). Only that office's operators
may then take it in charge (services.policy); managers can still reassign it by hand.
"""

from __future__ import annotations

import logging
from typing import Any

from webapp.extensions import db
from webapp.models import Application, Office
from webapp.services.common import statuses
from webapp.services.common.options import options_of

from ._history import record_event

log = logging.getLogger(__name__)
TRIGGER_STATUSES = frozenset({statuses.SUBMITTED, statuses.REGISTERED})


def _matches(rule: Any, data: dict[str, Any]) -> bool:
    if not isinstance(rule, dict) or "field" not in rule or "office" not in rule:
        return False
    value: Any = data
    for part in str(rule["field"]).split("."):
        value = value.get(part) if isinstance(value, dict) else None
    expected = rule.get("value")
    if isinstance(value, list):
        return expected in value
    return value == expected or (value is not None and str(value).strip().lower() == str(expected).strip().lower())


def matching_office(app: Application) -> Office | None:
    """The office the service's rules send this application to, or None."""
    for rule in options_of(app.service_version).assignment_rules:
        if _matches(rule, app.data or {}):
            office = db.session.scalar(db.select(Office).where(Office.tenant_id == app.tenant_id,
                                                               Office.name == str(rule["office"])))
            if office is None:
                log.warning("assignment rule of service %s names an unknown office", app.service_id)
                continue
            return office
    return None


def auto_assign(app: Application) -> Office | None:
    """Inside the caller's unit of work, right after the application reached 2000/3000."""
    if app.status not in TRIGGER_STATUSES or app.office_id is not None or app.operator_id is not None:
        return None
    office = matching_office(app)
    if office is not None:
        app.office_id = office.id
        record_event(app, None, "office_assigned", f"Assegnata automaticamente all'ufficio {office.name}")
    return office
