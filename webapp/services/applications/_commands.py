"""The handling commands an application accepts, as typed values.

The API and the pages build one of these (the API through `command_for`, from its JSON body); the use
case `transition` runs it. What a command means for the application's state is decided there, not here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from webapp.models import APPLICANT, INTERNAL
from webapp.services.common.errors import FieldProblem, NotFound, ValidationFailed
from webapp.services.common.uploads import Upload, decode_upload


class Action(StrEnum):
    """The names of the handling actions, as the API's addresses spell them."""

    SUBMIT = "submit"
    ASSIGN = "assign"
    ACCEPT = "accept"
    REJECT = "reject"
    REQUEST_INTEGRATION = "request-integration"
    ACCEPT_INTEGRATION = "accept-integration"
    CANCEL_INTEGRATION = "cancel-integration"
    WITHDRAW = "withdraw"
    REGISTER = "register"
    COMPLETE_PAYMENT = "complete-payment"


@dataclass(frozen=True)
class Submit:
    """The citizen sends the application, or answers an integration request (with changed `data`)."""

    data: dict[str, Any] | None = None
    message: str | None = None
    attachments: tuple[Upload, ...] = ()
    action = Action.SUBMIT


@dataclass(frozen=True)
class Assign:
    """To an operator and/or an office; with neither, to the caller (taking it in charge)."""

    operator_id: uuid.UUID | None = None
    office_id: uuid.UUID | None = None
    take_over: bool = False
    action = Action.ASSIGN

    @property
    def explicit(self) -> bool:
        return self.operator_id is not None or self.office_id is not None


@dataclass(frozen=True)
class StampRequest:
    reason: str | None = None
    amount: Any = None  # cents; checked with the other amounts when the approval is applied


@dataclass(frozen=True)
class Outcome:
    """Approval (possibly partial, possibly with a deferred payment and stamps) or rejection."""

    approved: bool
    partial: bool = False
    message: str | None = None
    attachments: tuple[Upload, ...] = ()
    payment_amount: Any = None  # cents of a deferred pagoPA payment; None: none
    stamps: tuple[StampRequest, ...] = ()

    @property
    def action(self) -> Action:
        return Action.ACCEPT if self.approved else Action.REJECT


@dataclass(frozen=True)
class IntegrationRequest:
    message: str | None = None
    attachments: tuple[Upload, ...] = ()
    action = Action.REQUEST_INTEGRATION


@dataclass(frozen=True)
class IntegrationDecision:
    """The office accepts the citizen's integrations (all, or the `messages` chosen) or refuses them."""

    accepted: bool
    messages: tuple[uuid.UUID, ...] | None = None
    message: str | None = None

    @property
    def action(self) -> Action:
        return Action.ACCEPT_INTEGRATION if self.accepted else Action.CANCEL_INTEGRATION


@dataclass(frozen=True)
class Withdrawal:
    message: str | None = None
    action = Action.WITHDRAW


@dataclass(frozen=True)
class Registration:
    """A protocol number an operator copies from an external register."""

    protocol_number: Any
    protocol_document_id: Any = None
    protocol_folder_number: Any = None
    protocol_folder_code: Any = None
    action = Action.REGISTER

    def result(self) -> dict[str, Any]:
        return {"protocol_number": self.protocol_number, "protocol_document_id": self.protocol_document_id,
                "protocol_folder_number": self.protocol_folder_number,
                "protocol_folder_code": self.protocol_folder_code}


@dataclass(frozen=True)
class PaymentRegistration:
    """*Registra pagamento*: the reason is kept as a private note, or sent to the citizen."""

    message: str | None
    visibility: str = INTERNAL
    action = Action.COMPLETE_PAYMENT


@dataclass(frozen=True)
class NewMessage:
    """A message to the citizen, or (`visibility` internal) a private note."""

    text: str
    visibility: str = APPLICANT
    subject: str | None = None
    attachments: tuple[Upload, ...] = field(default=())


@dataclass(frozen=True)
class TaskAction:
    """An action a service's own process declares on a user task (`actions` property): it completes that
    task with the action chosen and, optionally, the task form's data."""

    action: str
    data: dict[str, Any] = field(default_factory=dict)


Command = (Submit | Assign | Outcome | IntegrationRequest | IntegrationDecision | Withdrawal | Registration
           | PaymentRegistration | TaskAction)
ACTION_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


def _text(body: Mapping[str, Any], key: str = "message") -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed([FieldProblem(f"/{key}", "Deve essere un testo.", "type")])
    return (value or "").strip() or None


def attachments_of(body: Mapping[str, Any]) -> tuple[Upload, ...]:
    """The API's attachments `[{name, mime_type, file (base64)}]` as uploads."""
    items = body.get("attachments") or []
    if not isinstance(items, list):
        raise ValidationFailed([FieldProblem("/attachments", "Deve essere un elenco di allegati.", "type")])
    return tuple(decode_upload(item) for item in items)


def _stamps(raw: Any) -> tuple[StampRequest, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(StampRequest(reason=s.get("reason"), amount=s.get("amount")) if isinstance(s, dict)
                 else StampRequest() for s in raw)


def command_for(action: str, body: Mapping[str, Any]) -> Command:
    """The command an API call `POST .../transition/<action>` asks for, from its (schema-checked) body."""
    try:
        name = Action(action)
    except ValueError:
        if not ACTION_NAME.match(action):
            raise NotFound(f"Azione '{action}' sconosciuta.") from None
        data = body.get("data")
        return TaskAction(action, dict(data) if isinstance(data, dict) else {})
    match name:
        case Action.SUBMIT:
            data = body.get("data")
            return Submit(data=data if isinstance(data, dict) else None, message=_text(body),
                          attachments=attachments_of(body))
        case Action.ASSIGN:
            return Assign(operator_id=body.get("operator_id"), office_id=body.get("office_id"),
                          take_over=bool(body.get("take_over")))
        case Action.ACCEPT | Action.REJECT:
            payment = body.get("payment")
            return Outcome(approved=name == Action.ACCEPT,
                           partial=bool(body.get("partial", body.get("is_partial", False))),
                           message=_text(body), attachments=attachments_of(body),
                           payment_amount=payment.get("amount") if isinstance(payment, dict) and payment else None,
                           stamps=_stamps(body.get("stamps")))
        case Action.REQUEST_INTEGRATION:
            return IntegrationRequest(message=_text(body), attachments=attachments_of(body))
        case Action.ACCEPT_INTEGRATION | Action.CANCEL_INTEGRATION:
            chosen = body.get("messages")
            return IntegrationDecision(accepted=name == Action.ACCEPT_INTEGRATION, message=_text(body),
                                       messages=None if chosen is None else tuple(chosen))
        case Action.WITHDRAW:
            return Withdrawal(message=_text(body))
        case Action.REGISTER:
            return Registration(**{key: body.get(key) for key in (
                "protocol_number", "protocol_document_id", "protocol_folder_number", "protocol_folder_code")})
        case Action.COMPLETE_PAYMENT:
            return PaymentRegistration(message=_text(body), visibility=str(body.get("visibility") or INTERNAL))


def message_for(body: Mapping[str, Any]) -> NewMessage:
    """The message an API call `POST .../messages` posts, from its (schema-checked) body."""
    text = body.get("message")
    subject = body.get("subject")
    return NewMessage(text=text if isinstance(text, str) else "", visibility=str(body.get("visibility") or APPLICANT),
                      subject=subject if isinstance(subject, str) else None, attachments=attachments_of(body))
