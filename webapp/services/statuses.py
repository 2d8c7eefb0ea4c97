"""Application status codes and their labels (reference/opencity-model.md a.1)."""

from __future__ import annotations

DRAFT = 1000
PAYMENT_PENDING = 1500
PAYMENT_SUCCESS = 1520
PAYMENT_ERROR = 1530
PRE_SUBMIT = 1900
SUBMITTED = 2000
REGISTERED = 3000
PENDING = 4000
REQUEST_INTEGRATION = 4100
DRAFT_FOR_INTEGRATION = 4200
SUBMITTED_AFTER_INTEGRATION = 4300
REGISTERED_AFTER_INTEGRATION = 4400
PENDING_AFTER_INTEGRATION = 4500
COMPLETE_WAIT_PROTOCOL = 6000
COMPLETE = 7000
PARTIALLY_COMPLETE = 7100
CANCELLED_WAIT_PROTOCOL = 8000
CANCELLED = 9000
WITHDRAW = 20000
REVOKED = 50000

LABELS: dict[int, str] = {
    DRAFT: "Bozza",
    1500: "In attesa di pagamento",
    1510: "In attesa dell'esito di pagamento",
    1520: "Pagamento avvenuto con successo",
    1530: "Pagamento rifiutato",
    PRE_SUBMIT: "Inviata",
    SUBMITTED: "Acquisita",
    REGISTERED: "Protocollata",
    PENDING: "Presa in carico",
    REQUEST_INTEGRATION: "Richiesta integrazioni",
    DRAFT_FOR_INTEGRATION: "In attesa di integrazioni",
    SUBMITTED_AFTER_INTEGRATION: "Integrazioni in attesa di protocollazione",
    REGISTERED_AFTER_INTEGRATION: "Integrazioni protocollate",
    PENDING_AFTER_INTEGRATION: "Presa in carico in seguito a integrazioni",
    COMPLETE_WAIT_PROTOCOL: "Approvata, in attesa di protocollazione del documento di esito",
    COMPLETE: "Approvata",
    PARTIALLY_COMPLETE: "Parzialmente approvata",
    CANCELLED_WAIT_PROTOCOL: "Rifiutata, in attesa di protocollazione del documento di esito",
    CANCELLED: "Rifiutata",
    WITHDRAW: "Ritirata",
    REVOKED: "Annullata",
}

FINAL = frozenset({COMPLETE, PARTIALLY_COMPLETE, CANCELLED, WITHDRAW, REVOKED})
WITHDRAWABLE = frozenset({PRE_SUBMIT, SUBMITTED, REGISTERED, PENDING})


def label(code: int | None) -> str:
    if code is None:
        return ""
    return LABELS.get(code, str(code))
