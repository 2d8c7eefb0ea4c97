"""The demo Comune's contacts and its published legal texts: the platform's drafts completed as an ente would
(its contacts filled in, the accessibility check done), so the demo shows what a finished ente looks like."""

from __future__ import annotations

from typing import Any

from webapp.models import Tenant
from webapp.services.common import legal_drafts

CONTACTS = {"contact_address": "Piazza del Municipio 1, 00100 Demo (RM)", "contact_email": "urp@demo.example.it",
            "contact_pec": "protocollo@pec.demo.example.it", "contact_phone": "06 1234 5678",
            "dpo_email": "rpd@demo.example.it", "pnrr_funded": True}

# What the demo's own check found, with the reasons AgID's model asks for.
NOT_ACCESSIBLE = (
    "<p>I contenuti che seguono non sono ancora accessibili:</p><ul>"
    "<li>alcuni allegati PDF dei bandi pubblicati prima del 2023 sono scansioni senza testo riconoscibile "
    "(inosservanza della legge 4/2004): saranno sostituiti entro il 31 dicembre; nel frattempo l'Ufficio "
    "Relazioni con il Pubblico li fornisce in formato accessibile su richiesta;</li>"
    "<li>le planimetrie allegate alle richieste di occupazione di suolo pubblico non hanno una descrizione "
    "testuale (onere sproporzionato: sono caricate dai richiedenti).</li></ul>")


def demo_legal_settings(tenant: Tenant) -> dict[str, Any]:
    """The texts and their published flags; the contacts must already be in the tenant's settings."""
    return {"privacy_text": legal_drafts.privacy_draft(tenant),
            "accessibility_text": legal_drafts.accessibility_draft(tenant, gaps=NOT_ACCESSIBLE),
            legal_drafts.published_key("privacy_text"): True,
            legal_drafts.published_key("accessibility_text"): True}
