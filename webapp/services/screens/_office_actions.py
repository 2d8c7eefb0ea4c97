"""Handling actions from the back-office pages: form fields in, one transition (or message) out.

The state machine, the version check and the authorisation are those of services.transitions and
services.policy; this module only turns a posted form into the transition's body, and explains a
refusal (who acted first, and what) in words an operator understands.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from webapp.models import INTERNAL, Application, Tenant, User
from webapp.services import applications, jobs
from webapp.services.common import policy, statuses
from webapp.services.common.errors import Conflict, DomainError, FieldProblem, Locked, StaleVersion, ValidationFailed
from webapp.services.common.uow import unit_of_work

from . import _office_detail

LOCK_RETRIES = 5
LOCK_PAUSE_SECONDS = 0.2

# Page action -> (transition, fixed body)
ACTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "take": ("assign", {}),
    "take-over": ("assign", {"take_over": True}),
    "assign": ("assign", {}),
    "accept": ("accept", {}),
    "reject": ("reject", {}),
    "request-integration": ("request-integration", {}),
    "accept-integration": ("accept-integration", {}),
    "cancel-integration": ("cancel-integration", {}),
    "complete-payment": ("complete-payment", {}),
}
MAX_STAMPS = 5
@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


def _attachments(files: list[Upload]) -> list[dict[str, str]]:
    # An empty file is sent on too: the attachment check refuses it with a message ("è vuoto").
    return [{"name": f.name, "file": base64.b64encode(f.content).decode()} for f in files]


def body_for(action: str, form: Mapping[str, Any], files: list[Upload]) -> dict[str, Any]:
    _transition, fixed = ACTIONS[action]
    body: dict[str, Any] = dict(fixed)
    text = (form.get("message") or "").strip()
    if text:
        body["message"] = text
    if files:
        body["attachments"] = _attachments(files)
    if action == "assign":
        body["operator_id"] = form.get("operator_id") or None
        body["office_id"] = form.get("office_id") or None
    if action == "accept" and form.get("partial") in ("1", "on", "true"):
        body["partial"] = True
    if action == "accept":
        body.update(_release_payments(form))
    if action == "complete-payment":
        body["visibility"] = "applicant" if form.get("visibility") == "applicant" else INTERNAL
    return body


def euro_cents(raw: str, pointer: str) -> int:
    """'50', '50,00' or '1.234,50' euro -> cents; anything else is a field error."""
    text = raw.strip().replace(".", "").replace(",", ".")
    try:
        cents = round(float(text) * 100)
    except (ValueError, OverflowError):  # not a number, NaN, or infinite
        cents = -1
    if cents < 0 or cents > 10**9:
        raise ValidationFailed([FieldProblem(pointer, "Importo non valido (ad esempio 50,00).", "format")])
    return cents


def _release_payments(form: Mapping[str, Any]) -> dict[str, Any]:
    """The approval's deferred pagoPA payment and stamps (Pagamento posticipato, Marche da bollo)."""
    extra: dict[str, Any] = {}
    amount = str(form.get("payment_amount") or "").strip()
    if amount:
        cents = euro_cents(amount, "/payment/amount")
        if cents:
            extra["payment"] = {"amount": cents}
    count = str(form.get("stamps_count") or "0").strip()
    if not count.isdigit() or int(count) > MAX_STAMPS:
        raise ValidationFailed([FieldProblem("/stamps", f"Da 0 a {MAX_STAMPS} marche da bollo.", "range")])
    reason = str(form.get("stamps_reason") or "").strip() or "Imposta di bollo"
    if int(count):
        extra["stamps"] = [{"reason": reason} for _ in range(int(count))]
    return extra


def run(tenant: Tenant, user: User, app_id: str, action: str, form: Mapping[str, Any],
        files: list[Upload], version: int | None) -> Application:
    """One handling action; a row held by a concurrent action is waited for briefly, then re-checked."""
    transition = ACTIONS[action][0]
    body = body_for(action, form, files)
    for attempt in range(LOCK_RETRIES):
        try:
            return applications.transition(tenant, user, app_id, transition, body, version)
        except Locked:
            if attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(LOCK_PAUSE_SECONDS)
    raise AssertionError("unreachable")


def retry_incident(tenant: Tenant, user: User, app_id: str, call_id: str) -> None:
    """An operator retries a background call that ran out of attempts (an incident)."""
    with unit_of_work():
        app = policy.get_application(user, tenant, app_id, lock=True)
        policy.require_staff(user)
        jobs.retry_incident(app, call_id)


def post(tenant: Tenant, user: User, app_id: str, form: Mapping[str, Any], files: list[Upload],
         *, private: bool) -> None:
    """A message to the citizen, or a private note the citizen never sees."""
    body: dict[str, Any] = {"message": form.get("message") or ""}
    if private:
        body["visibility"] = INTERNAL
    if files:
        body["attachments"] = _attachments(files)
    applications.post_message(tenant, user, app_id, body)


def explain(tenant: Tenant, user: User, app_id: str, error: DomainError) -> str:
    """What happened, for a refused action: with a stale version, who did what in the meantime."""
    if not isinstance(error, StaleVersion | Conflict | Locked):
        return error.description
    try:
        app = policy.get_application(user, tenant, app_id)
    except DomainError:
        return error.description
    event = _office_detail.last_event(tenant, app)
    state = f"ora la pratica è «{statuses.label(app.status)}»"
    if app.operator is not None:
        state += f", in carico a {app.operator.full_name}"
    if event is None:
        return f"La pratica è stata modificata nel frattempo: {state}."
    what = statuses.event_label(event.event).lower()
    return f"Un'altra operazione è arrivata prima: {event.actor_name} ha eseguito «{what}»; {state}."
