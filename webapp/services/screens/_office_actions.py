"""Handling actions from the back-office pages: form fields in, one transition (or message) out.

The state machine, the version check and the authorisation are those of the applications package and
the policy; this module only turns a posted form into a typed command (its fields checked by one
marshmallow schema), and explains a refusal (who acted first, and what) in words an operator understands.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate
from marshmallow import ValidationError as MarshmallowError

from webapp.models import APPLICANT, INTERNAL, Application, Tenant, User
from webapp.services import applications, jobs
from webapp.services.common import policy, statuses
from webapp.services.common.errors import (
    Conflict,
    DomainError,
    FieldProblem,
    Locked,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from webapp.services.common.uow import unit_of_work
from webapp.services.common.uploads import Upload

from . import _office_detail

LOCK_RETRIES = 5
LOCK_PAUSE_SECONDS = 0.2
MAX_STAMPS = 5
STAMPS_RANGE = f"Da 0 a {MAX_STAMPS} marche da bollo."
ACTIONS = frozenset({"take", "take-over", "assign", "accept", "reject", "request-integration", "accept-integration",
                     "cancel-integration", "complete-payment"})
# Where a field's error points, as the API's body would name it.
POINTERS = {"payment_amount": "/payment/amount", "stamps_count": "/stamps"}


class EuroField(fields.Field):
    """An amount as people type it in Italy ('50', '50,00', '1.234,50'): cents, or None when blank."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | None:
        text = str(value or "").strip().replace(".", "").replace(",", ".")
        if not text:
            return None
        try:
            cents = round(float(text) * 100)
        except (ValueError, OverflowError):  # not a number, NaN, or infinite
            cents = -1
        if cents < 0 or cents > 10**9:
            raise MarshmallowError("Importo non valido (ad esempio 50,00).")
        return cents


class HandlingFormSchema(Schema):
    """The fields of the back office's handling modals (one schema for all of them)."""

    class Meta:
        unknown = EXCLUDE

    message = fields.String(load_default="")
    operator_id = fields.UUID(load_default=None, error_messages={"invalid_uuid": "Operatore non valido."})
    office_id = fields.UUID(load_default=None, error_messages={"invalid_uuid": "Ufficio non valido."})
    # Named apart: a field called `partial` would hide marshmallow's own Schema.partial.
    partial_approval = fields.Boolean(data_key="partial", load_default=False,
                                      error_messages={"invalid": "Valore non valido."})
    payment_amount = EuroField(load_default=None)
    stamps_count = fields.Integer(load_default=0, validate=validate.Range(0, MAX_STAMPS, error=STAMPS_RANGE),
                                  error_messages={"invalid": STAMPS_RANGE})
    stamps_reason = fields.String(load_default="")
    visibility = fields.String(load_default=INTERNAL)

    @pre_load
    def _blank_is_missing(self, data: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        """A form posts every input, filled or not: an empty one means "not given"."""
        return {key: value for key, value in data.items() if value not in ("", None)}


def _checked(form: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return dict(HandlingFormSchema().load({key: form.get(key) for key in form}))
    except MarshmallowError as exc:
        messages = exc.normalized_messages()
        raise ValidationFailed([
            FieldProblem(POINTERS.get(name, f"/{name}"), str(problem[0]), "format")
            for name, problem in messages.items()]) from exc


def page_command(action: str, form: Mapping[str, Any], files: list[Upload]) -> applications.Command:
    """The command a page action posts: its modal's fields, checked, and the files chosen in it."""
    values = _checked(form)
    text = values["message"].strip() or None
    attachments = tuple(files)  # an empty file goes on too: the attachment check refuses it in words
    match action:
        case "take" | "take-over" | "assign":
            return applications.Assign(operator_id=values["operator_id"] if action == "assign" else None,
                                       office_id=values["office_id"] if action == "assign" else None,
                                       take_over=action == "take-over")
        case "accept" | "reject":
            approved = action == "accept"
            stamps = values["stamps_count"] if approved else 0
            reason = values["stamps_reason"].strip() or "Imposta di bollo"
            return applications.Outcome(
                approved=approved, partial=approved and values["partial_approval"], message=text,
                attachments=attachments,
                payment_amount=(values["payment_amount"] or None) if approved else None,
                stamps=tuple(applications.StampRequest(reason=reason) for _ in range(stamps)))
        case "request-integration":
            return applications.IntegrationRequest(message=text, attachments=attachments)
        case "accept-integration" | "cancel-integration":
            return applications.IntegrationDecision(accepted=action == "accept-integration", message=text)
        case "complete-payment":
            visibility = "applicant" if values["visibility"] == "applicant" else INTERNAL
            return applications.PaymentRegistration(message=text, visibility=visibility)
    raise NotFound(f"Azione '{action}' sconosciuta.")


def run(tenant: Tenant, user: User, app_id: str, action: str, form: Mapping[str, Any],
        files: list[Upload], version: int | None) -> Application:
    """One handling action; a row held by a concurrent action is waited for briefly, then re-checked."""
    command = page_command(action, form, files)
    for attempt in range(LOCK_RETRIES):
        try:
            return applications.transition(tenant, user, app_id, command, version)
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
    new = applications.NewMessage(str(form.get("message") or ""), INTERNAL if private else APPLICANT,
                                  attachments=tuple(files))
    applications.post_message(tenant, user, app_id, new)


def explain(tenant: Tenant, user: User, app_id: str, error: DomainError) -> str:
    """What happened, for a refused action: with a stale version, who did what in the meantime."""
    if not isinstance(error, StaleVersion | Conflict | Locked):
        return error.description
    try:
        app = policy.get_application(user, tenant, app_id)
    except DomainError:
        return error.description
    event = _office_detail.last_event(tenant, app)
    state = f"ora la pratica è «{statuses.app_label(app)}»"
    if app.operator is not None:
        state += f", in carico a {app.operator.full_name}"
    if event is None:
        return f"La pratica è stata modificata nel frattempo: {state}."
    what = statuses.event_label(event.event).lower()
    return f"Un'altra operazione è arrivata prima: {event.actor_name} ha eseguito «{what}»; {state}."
