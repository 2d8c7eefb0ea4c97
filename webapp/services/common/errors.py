"""Domain errors raised by the services layer; one module (webapp.api.errors) maps them to HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class DomainError(Exception):
    """Base: `status` is the HTTP status the error maps to, `title` a short Italian summary."""

    status = 400
    type = "error"
    title = "Richiesta non valida"

    def __init__(self, description: str = "", **extra: Any) -> None:
        super().__init__(description or self.title)
        self.description = description or self.title
        self.extra = extra


class BadRequest(DomainError):
    pass


class Unauthorized(DomainError):
    status = 401
    title = "Autenticazione richiesta"


class Forbidden(DomainError):
    status = 403
    title = "Operazione non consentita"


class NotFound(DomainError):
    status = 404
    title = "Risorsa non trovata"


class TransitionNotAllowed(DomainError):
    status = 409
    title = "Transizione non consentita"


class StaleVersion(DomainError):
    status = 409
    title = "Versione non aggiornata"


class Locked(DomainError):
    status = 409
    title = "Pratica in uso"


class Conflict(DomainError):
    status = 409
    title = "Conflitto"


class DuplicateProtocolNumber(Conflict):
    """The register gave a number the ente already used this year (art. 57 D.P.R. 445/2000)."""

    title = "Numero di protocollo già usato"


class ProcessFailed(DomainError):
    """The service's process could not advance (a broken expression or definition): nothing was saved."""

    status = 422
    title = "Il processo del servizio non può proseguire"


class PayloadTooLarge(DomainError):
    status = 413
    title = "Contenuto troppo grande"


class UnsupportedMedia(DomainError):
    status = 415
    title = "Tipo di file non ammesso"


@dataclass(frozen=True)
class FieldProblem:
    pointer: str
    message: str
    code: str


class ValidationFailed(DomainError):
    status = 400
    type = "validation_error"
    title = "Ci sono errori nei dati inviati"

    def __init__(self, errors: list[FieldProblem], description: str = "") -> None:
        super().__init__(description or self.title)
        self.errors = errors
