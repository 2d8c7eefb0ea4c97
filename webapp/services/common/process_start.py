"""The data a service's process starts with (README, "Data in the process"), shared by a real
application and the workshop's sandbox run so both start the process the same way."""

from __future__ import annotations

import copy
from typing import Any

from webapp.models import User
from webapp.services.common.options import ServiceOptions

# The names the process reads the citizen's data by.
PROCESS_FORM_DATA = "domanda"
PROCESS_APPLICANT = "richiedente"


def start_options(options: ServiceOptions) -> dict[str, Any]:
    """The start data every lifecycle process routes on, from the service's options."""
    return {
        "protocol_required": options.protocol_required,
        "allow_integration_request": options.allow_integration_request,
        "allow_partial_approval": options.allow_partial_approval,
        "allow_withdraw": options.allow_withdraw,
        "payment_phase": options.payment,
        "payment_amount": options.payment_amount,
        "payment_expiry": options.payment_expiry or "P30D",  # ISO-8601 duration of the notice
    }


def applicant(user: User) -> dict[str, Any]:
    """The applicant as the process sees them (`richiedente`): identity, not the whole profile."""
    return {"codice_fiscale": user.fiscal_code or "", "nome": user.name or "", "cognome": user.family_name or "",
            "email": user.email or "", "autenticazione": (user.identity or {}).get("method", "password")}


def start_data(options: ServiceOptions, form_data: dict[str, Any] | None, user: User) -> dict[str, Any]:
    return {**start_options(options), PROCESS_FORM_DATA: copy.deepcopy(form_data or {}),
            PROCESS_APPLICANT: applicant(user)}
