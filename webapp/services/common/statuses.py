"""Application status codes, history events and background operations, with the labels people read
(reference/opencity-model.md a.1). Labels are Italian; pages and e-mails translate them when shown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


def N_(text: str) -> str:  # marks a label for Babel's extractor; translated where it is shown
    return text


# What a background operation (a service task) does, as the office reads it in the iter and incidents.
OPERATION_LABELS: dict[str, str] = {
    "documents.generate_receipt": N_("Generazione della ricevuta della domanda"),
    "protocol.register_application": N_("Protocollazione della domanda"),
    "protocol.register_integration_request": N_("Protocollazione della richiesta di integrazioni"),
    "protocol.register_integration_answer": N_("Protocollazione delle integrazioni"),
    "protocol.register_outcome": N_("Protocollazione dell'esito"),
    "protocol.register_withdrawal": N_("Protocollazione del ritiro"),
    "payment.create_debt_position": N_("Creazione dell'avviso pagoPA"),
    "payment.mark_paid": N_("Chiusura su pagoPA dell'avviso pagato altrove"),
    "payment.invalidate": N_("Annullamento su pagoPA dell'avviso non più dovuto"),
    "payment.receipt_refused": N_("Ricevuta pagoPA rifiutata: importo diverso dall'avviso"),
    "payment.position_invalid": N_("Avviso annullato su pagoPA fuori dalla piattaforma"),
    "payment.paid_after_end": N_("Pagamento ricevuto per un avviso già annullato"),
}
UNKNOWN_OPERATION = N_("Operazione automatica")

# History events (StatusChange.event): who did what.
EVENT_LABELS: dict[str, str] = {
    "created": N_("Creazione"), "submitted": N_("Invio"), "assigned": N_("Presa in carico"),
    "take_over": N_("Subentro"), "reassigned": N_("Riassegnazione"),
    "office_assigned": N_("Assegnazione automatica all'ufficio"), "approved": N_("Approvazione"),
    "partially_approved": N_("Approvazione parziale"), "rejected": N_("Rigetto"),
    "integration_requested": N_("Richiesta di integrazioni"), "integration_answered": N_("Invio delle integrazioni"),
    "integration_accepted": N_("Accettazione delle integrazioni"),
    "integration_refused": N_("Rifiuto delle integrazioni"), "withdrawn": N_("Ritiro"),
    "payment_received": N_("Pagamento ricevuto"), "timer": N_("Scadenza di un termine"),
    "automatic": N_("Avanzamento automatico"), "task_completed": N_("Attività completata"),
    # a service task that finished records its operation, dots as underscores
    **{operation.replace(".", "_"): text for operation, text in OPERATION_LABELS.items()},
}
UNKNOWN_EVENT = N_("Avanzamento automatico")


# The standard lifecycle's actions as their buttons say them; a process's own are shown as written.
ACTION_LABELS: dict[str, str] = {
    "submit": N_("Invia"), "assign": N_("Prendi in carico"), "accept": N_("Approva"), "reject": N_("Rigetta"),
    "request-integration": N_("Richiedi integrazioni"), "accept-integration": N_("Accetta integrazioni"),
    "cancel-integration": N_("Rifiuta integrazioni"), "withdraw": N_("Ritira"), "register": N_("Protocolla"),
    "complete-payment": N_("Registra pagamento"),
}


def action_label(action: str) -> str:
    """What a button for `action` says: "favorevole_con_prescrizioni" -> "Favorevole con prescrizioni"."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    words = action.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def label(code: int | None, service: Mapping[int, str] | None = None) -> str:
    """The status's label; a service's own codes (its manifest's `statuses`) are labelled by the service."""
    if code is None:
        return ""
    if service and code in service:
        return service[code]
    return LABELS.get(code, str(code))


def app_label(app: Any, code: int | None = None) -> str:
    """The label of `code` (by default the application's own status) as the application's service says it."""
    return label(app.status if code is None else code, labels_of(app))


# A version's definition hash covers its manifest, so equal hashes mean equal labels: kept per hash and
# language, a list's rows are labelled without loading their versions. Bounded: versions and languages are few.
_LABELS_BY_DEFINITION: dict[tuple[str, str], dict[int, str]] = {}
KEPT_DEFINITIONS = 2048


def labels_of(app: Any, language: str = "it") -> dict[int, str]:
    """The application's service's own status labels in `language` (see `service_labels`)."""
    key = (app.definition_hash, language)
    found = _LABELS_BY_DEFINITION.get(key)
    if found is None:
        found = service_labels(app.service_version.manifest, language)
        if len(_LABELS_BY_DEFINITION) < KEPT_DEFINITIONS:
            _LABELS_BY_DEFINITION[key] = found
    return found


def service_labels(manifest: Mapping[str, Any], language: str = "it") -> dict[int, str]:
    """A service's own status labels in `language` (Italian when it has none in that language).

    In service.yaml: `statuses: {4600: {it: "In attesa di pareri", en: "Awaiting opinions"}}`, or a plain
    Italian text. Checked when the version is published (`status_label_problems`).
    """
    found: dict[int, str] = {}
    for code, text in (manifest.get("statuses") or {}).items():
        if isinstance(text, Mapping):
            chosen = text.get(language) or text.get("it")
            if isinstance(chosen, str):
                found[int(code)] = chosen
        elif isinstance(text, str):
            found[int(code)] = text
    return found


def status_label_problems(manifest: Mapping[str, Any]) -> list[str]:
    """What is wrong with a manifest's `statuses` (codes must be integers, labels Italian texts)."""
    raw = manifest.get("statuses")
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        return ["statuses deve associare codici di stato alle loro etichette"]
    problems = []
    for code, text in raw.items():
        if isinstance(code, bool) or not isinstance(code, int) or not 0 < code < 100000:
            problems.append(f"statuses: {code!r} non è un codice di stato (un intero)")
        elif not (isinstance(text, str) and text.strip()) and not (
                isinstance(text, Mapping) and isinstance(text.get("it"), str) and text["it"].strip()
                and all(isinstance(v, str) for v in text.values())):
            problems.append(f"statuses: lo stato {code} ha bisogno di un'etichetta in italiano")
    return problems


def operation_label(operation: str) -> str:
    return OPERATION_LABELS.get(operation, UNKNOWN_OPERATION)


def event_label(event: str) -> str:
    return EVENT_LABELS.get(event, UNKNOWN_EVENT)
