"""The texts-and-options form of a service in the workshop: what the page shows, read back from a post.

Options the form does not show (assignment rules, calendars...) are kept as service.yaml has them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from webapp.services import screens, workshop
from webapp.services.common.options import MAX_RESPONSE_DAYS

TEXTS = (
    ("description", _l("Descrizione"), _l("Cos'è il servizio, in poche righe: compare in cima alla scheda.")),
    ("who", _l("A chi è rivolto"), _l("Chi può presentare la domanda e con quali requisiti.")),
    ("how_to", _l("Come fare"), _l("I passi per presentare la domanda; vuoto: il testo standard della piattaforma.")),
    ("what_you_need", _l("Cosa serve"), _l("Documenti e dati da tenere a portata di mano.")),
    ("what_you_get", _l("Cosa si ottiene"), _l("Il risultato del servizio; vuoto: il testo standard.")),
    ("costs", _l("Quanto costa"), _l("Importi, marche da bollo, esenzioni.")),
    ("times", _l("Tempi e scadenze"), _l("Entro quando arriva l'esito; scadenze del bando.")),
    ("contacts", _l("Contatti"), _l("L'ufficio a cui rivolgersi e i suoi orari.")),
)
FLAGS = (
    ("protocol_required", _l("Protocolla domanda ed esito"),
     _l("Ogni domanda e ogni esito ricevono un numero di protocollo.")),
    ("allow_withdraw", _l("Il cittadino può ritirare la domanda"), _l("Finché la pratica non è decisa.")),
    ("allow_integration_request", _l("Richieste di integrazione"),
     _l("L'ufficio può chiedere documenti o dati mancanti.")),
    ("allow_partial_approval", _l("Accoglimento parziale"), _l("L'esito può accogliere la domanda solo in parte.")),
    ("stamps", _l("Marca da bollo"), _l("La domanda richiede l'imposta di bollo (marca o pagamento pagoPA).")),
    ("io_enabled", _l("Messaggi su App IO"), _l("Gli avvisi al cittadino arrivano anche sull'app IO.")),
    ("appointments", _l("Appuntamenti"), _l("Il cittadino può prenotare un appuntamento collegato alla pratica.")),
    ("allow_anonymous", _l("Segnalazione anonima"), _l("Il cittadino può nascondere il proprio nome all'ufficio.")),
    ("citizen_moments", _l("Avvisi standard al cittadino"),
     _l("Invio, presa in carico, esito: i momenti del percorso standard, oltre agli avvisi del processo.")),
)
PAYMENTS = (("none", _l("Nessun pagamento")), ("request", _l("Alla presentazione della domanda")),
            ("release", _l("Al rilascio, dopo l'accoglimento")))
PROTOCOL_HANDLERS = (("builtin", _l("Registro di protocollo della piattaforma")),
                     ("connector", _l("Sistema di protocollo dell'ente (connettore)")),
                     ("external", _l("Protocollazione manuale da parte dell'operatore")))
WORKFLOWS = (("", _l("Istruttoria con esito")), ("approval", _l("Approvazione dell'ufficio")),
             ("forward", _l("Inoltro all'ufficio (senza ritiro dopo l'invio)")))
_DAYS = re.compile(r"^P(\d{1,4})D$")


def settings_values() -> dict[str, Any]:
    return {"texts": TEXTS, "flags": FLAGS, "payments": PAYMENTS, "protocol_handlers": PROTOCOL_HANDLERS,
            "workflows": WORKFLOWS, "follow_ups": list(screens.FOLLOW_UPS.items())}


@dataclass
class SettingsForm:
    title: str
    category: str | None
    texts: dict[str, str]
    options: dict[str, Any]
    revision: int | None
    amount_text: str = ""
    expiry_days: str = ""
    term_days: str = ""  # max_response_time: stated on the service page, counted on each application
    errors: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def from_draft(cls, draft: workshop.Draft) -> SettingsForm:
        manifest = draft.manifest
        options = dict(manifest.get("options") or {}) if isinstance(manifest.get("options"), dict) else {}
        texts = manifest.get("texts") if isinstance(manifest.get("texts"), dict) else {}
        amount = options.get("payment_amount")
        expiry = _DAYS.match(str(options.get("payment_expiry") or ""))
        term = options.get("max_response_time")
        return cls(title=str(manifest.get("title") or draft.title), category=manifest.get("category"),
                   texts={k: str(v) for k, v in (texts or {}).items()}, options=options, revision=draft.revision,
                   amount_text=f"{Decimal(amount) / 100:.2f}".replace(".", ",") if isinstance(amount, int) else "",
                   expiry_days=expiry.group(1) if expiry else "",
                   term_days=str(term) if isinstance(term, int) and not isinstance(term, bool) else "")

    @classmethod
    def from_request(cls, form: MultiDict[str, str], draft: workshop.Draft) -> SettingsForm:
        base = cls.from_draft(draft)
        options = dict(base.options)
        options["follow_ups"] = [kind for kind in screens.FOLLOW_UPS if kind in form.getlist("follow_ups")]
        if not options["follow_ups"]:
            options.pop("follow_ups")
        for name, _label, _help in FLAGS:
            options[name] = form.get(name) == "on"
        errors: list[tuple[str, str]] = []
        options["payment"] = _one_of(form.get("payment"), PAYMENTS, "none")
        options["protocol_handler"] = _one_of(form.get("protocol_handler"), PROTOCOL_HANDLERS, "builtin")
        workflow = _one_of(form.get("workflow"), WORKFLOWS, "")
        options.pop("workflow", None)
        if workflow:
            options["workflow"] = workflow
        amount_text = (form.get("payment_amount") or "").strip()
        options.pop("payment_amount", None)
        if amount_text:
            try:
                cents = Decimal(amount_text.replace(".", "").replace(",", ".")) * 100
                if cents < 0 or cents != cents.to_integral_value() or cents > 10**9:
                    raise InvalidOperation
                options["payment_amount"] = int(cents)
            except InvalidOperation:
                errors.append(("payment_amount", str(_l("Importo non valido: scrivi gli euro con la virgola, "
                                                         "es. 16,00."))))
        elif options["payment"] == "request":
            errors.append(("payment_amount", str(_l("Indica l'importo da pagare alla presentazione."))))
        days = (form.get("payment_expiry") or "").strip()
        options.pop("payment_expiry", None)
        if days:
            if days.isdigit() and 1 <= int(days) <= 3650:
                options["payment_expiry"] = f"P{int(days)}D"
            else:
                errors.append(("payment_expiry", str(_l("La scadenza è un numero di giorni tra 1 e 3650."))))
        term = (form.get("max_response_time") or "").strip()
        options.pop("max_response_time", None)
        if term:
            if term.isdigit() and 1 <= int(term) <= MAX_RESPONSE_DAYS:
                options["max_response_time"] = int(term)
            else:
                errors.append(("max_response_time", str(_l("Il tempo massimo è un numero di giorni tra 1 e "
                                                           "%(max)s.", max=MAX_RESPONSE_DAYS))))
        title = " ".join((form.get("title") or "").split())
        if not title:
            errors.append(("title", str(_l("Il titolo è obbligatorio."))))
        revision = form.get("revision", "")
        return cls(title=title, category=(form.get("category") or "").strip() or None,
                   texts={key: (form.get(f"text_{key}") or "").strip()[:5000] for key, _l1, _h in TEXTS},
                   options=options, revision=int(revision) if revision.isdigit() else None,
                   amount_text=amount_text, expiry_days=days, term_days=term, errors=errors)


def _one_of(value: str | None, choices: tuple[tuple[str, Any], ...], default: str) -> str:
    return value if value in {key for key, _label in choices} else default
