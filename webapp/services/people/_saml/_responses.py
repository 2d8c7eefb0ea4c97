"""The Response posted to the ACS: pysaml2 checks what it knows (signature with xmlsec1, InResponseTo,
Destination, Audience, time window, trusted issuer), then the SPID rules it does not know; an accepted
assertion is remembered so it is never accepted twice. Also the housekeeping of requests and assertions."""

from __future__ import annotations

import base64
from datetime import UTC, timedelta
from typing import Any

from flask import current_app
from lxml import etree  # type: ignore[import-untyped]
from saml2 import BINDING_HTTP_POST
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import SamlAssertion, SamlRequest, Tenant
from webapp.services.common.uow import unit_of_work

from .._citizens import Identity
from . import _keys
from ._client import client
from ._common import (
    BEARER,
    DS,
    ENTITY,
    LEVELS,
    REQUESTED_ATTRIBUTES,
    SAML,
    SAMLP,
    SUCCESS,
    TRANSIENT,
    SamlError,
    acs_url,
    check_method,
    entity_id,
    instant,
    now,
    parser,
)


def complete_login(tenant: Tenant, method: str, saml_response: str, relay_state: str) -> tuple[Identity, str]:
    """Check a Response posted to the ACS; the identity it asserts and the page to go to next."""
    check_method(method)
    try:
        xml = base64.b64decode(saml_response, validate=False)
        root = etree.fromstring(xml, parser())
    except (ValueError, etree.XMLSyntaxError) as exc:
        raise SamlError("Risposta del gestore dell'identità non leggibile.") from exc
    in_response_to = root.get("InResponseTo") or ""
    pending = db.session.scalar(select(SamlRequest).where(
        SamlRequest.tenant_id == tenant.id, SamlRequest.request_id == in_response_to,
        SamlRequest.method == method).with_for_update())
    if pending is None or pending.used_at is not None or pending.relay_state != relay_state:
        raise SamlError("La risposta non corrisponde a un accesso in corso.")
    if now() - pending.created_at.astimezone(UTC) > timedelta(seconds=current_app.config["SAML_REQUEST_TTL_SECONDS"]):
        raise SamlError("La richiesta di accesso è scaduta: riprova.")
    _check_status(root)
    _check_spid_shape(root, pending, tenant, method)
    try:
        with _keys.key_files(tenant) as files:
            response = client(tenant, method, files).parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding={pending.request_id: pending.next_url})
    except Exception as exc:  # pysaml2 raises many unrelated types for a refused response
        current_app.logger.info("SAML response refused by pysaml2: %s", type(exc).__name__)
        raise SamlError("Risposta del gestore dell'identità non valida.") from exc
    if response is None or response.assertion is None:
        raise SamlError("Risposta del gestore dell'identità non valida.")
    assertion = response.assertion
    if response.issuer() != pending.idp_entity_id or assertion.issuer.text != pending.idp_entity_id:
        raise SamlError("La risposta non viene dal gestore dell'identità scelto.")
    # The assertion pysaml2 verified must be the one we checked in shape (no wrapping).
    checked = root.find(f"{{{SAML}}}Assertion")
    if checked is None or checked.get("ID") != assertion.id:
        raise SamlError("Risposta del gestore dell'identità non valida.")
    attributes = {name: values[0] for name, values in response.ava.items() if values}
    expected = set(REQUESTED_ATTRIBUTES[method])
    if method == "spid" and set(attributes) != expected:
        raise SamlError("Il gestore dell'identità non ha inviato i dati richiesti.")
    if not attributes.get("fiscalNumber"):
        raise SamlError("Il gestore dell'identità non ha inviato il codice fiscale.")
    level = _authn_level(checked)
    session_index = checked.find(f"{{{SAML}}}AuthnStatement")
    name_id = checked.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID")
    conditions = checked.find(f"{{{SAML}}}Conditions")
    try:
        with unit_of_work():
            pending.used_at = now()
            db.session.add(SamlAssertion(tenant_id=tenant.id, idp_entity_id=pending.idp_entity_id,
                                         assertion_id=assertion.id,
                                         not_on_or_after=instant(conditions.get("NotOnOrAfter"))
                                         if conditions is not None else None))
    except IntegrityError as exc:
        raise SamlError("Questa risposta è già stata usata.") from exc
    identity = Identity(
        method=method, attributes={k: str(v) for k, v in attributes.items()}, level=f"SpidL{level}",
        provider=pending.idp_entity_id,
        session_index=session_index.get("SessionIndex") if session_index is not None else None,
        name_id=name_id.text if name_id is not None else None,
        name_id_qualifier=name_id.get("NameQualifier") if name_id is not None else None,
        assertion_id=assertion.id)
    return identity, pending.next_url


def _check_status(root: Any) -> None:
    code = root.find(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusCode")
    if code is None or not code.get("Value"):
        raise SamlError("Risposta del gestore dell'identità non valida.")
    if code.get("Value") != SUCCESS:
        message = root.findtext(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusMessage") or ""
        raise SamlError(_STATUS_MESSAGES.get(message.strip(), "Accesso non riuscito presso il gestore dell'identità."))


# SPID's ErrorCode messages (Regole tecniche, tabella dei codici di errore) the citizen must be told about.
_STATUS_MESSAGES = {
    "ErrorCode nr19": "Accesso non riuscito: troppi tentativi con credenziali errate.",
    "ErrorCode nr20": "La tua identità digitale non ha il livello di sicurezza richiesto dal servizio.",
    "ErrorCode nr21": "Tempo scaduto durante l'accesso: riprova.",
    "ErrorCode nr22": "Non hai dato il consenso all'invio dei dati: l'accesso non è avvenuto.",
    "ErrorCode nr23": "La tua identità digitale è sospesa o revocata.",
    "ErrorCode nr25": "Hai annullato l'accesso.",
}


def _require(condition: object) -> None:
    if not condition:
        raise SamlError("Risposta del gestore dell'identità non valida.")


def _check_spid_shape(root: Any, pending: SamlRequest, tenant: Tenant, method: str) -> None:
    """The SPID rules on a Response that pysaml2 does not enforce (Regole tecniche, Response)."""
    skew = timedelta(seconds=int(current_app.config["SAML_CLOCK_SKEW_SECONDS"]))
    moment, sent = now(), pending.issue_instant.astimezone(UTC)
    acs, eid = acs_url(tenant, method), entity_id(tenant, method)
    _require(root.tag == f"{{{SAMLP}}}Response" and root.get("Version") == "2.0" and root.get("ID"))
    _require(root.get("Destination") == acs)
    issued = instant(root.get("IssueInstant"))
    _require(issued is not None and sent - skew <= issued <= moment + skew)
    issuer = root.find(f"{{{SAML}}}Issuer")
    _require(issuer is not None and issuer.text == pending.idp_entity_id
             and issuer.get("Format") in (None, ENTITY))
    assertions = root.findall(f"{{{SAML}}}Assertion")
    _require(len(assertions) == 1 and len(root.findall(f".//{{{SAML}}}Assertion")) == 1)
    assertion = assertions[0]
    _require(assertion.get("ID") and assertion.get("Version") == "2.0")
    _require(assertion.find(f"{{{DS}}}Signature") is not None)
    asserted = instant(assertion.get("IssueInstant"))
    _require(asserted is not None and sent - skew <= asserted <= moment + skew)
    a_issuer = assertion.find(f"{{{SAML}}}Issuer")
    _require(a_issuer is not None and a_issuer.text == pending.idp_entity_id)
    if method == "spid":  # CIE's profile leaves the assertion issuer's Format optional
        _require(a_issuer.get("Format") == ENTITY)
    else:
        _require(a_issuer.get("Format") in (None, ENTITY))
    name_id = assertion.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID")
    _require(name_id is not None and (name_id.text or "").strip() and name_id.get("Format") == TRANSIENT
             and name_id.get("NameQualifier"))
    confirmation = assertion.find(f"{{{SAML}}}Subject/{{{SAML}}}SubjectConfirmation")
    _require(confirmation is not None and confirmation.get("Method") == BEARER)
    data = confirmation.find(f"{{{SAML}}}SubjectConfirmationData")
    _require(data is not None and data.get("Recipient") == acs and data.get("InResponseTo") == pending.request_id)
    until = instant(data.get("NotOnOrAfter"))
    _require(until is not None and until + skew > moment)
    conditions = assertion.find(f"{{{SAML}}}Conditions")
    _require(conditions is not None)
    not_before, not_after = instant(conditions.get("NotBefore")), instant(conditions.get("NotOnOrAfter"))
    _require(not_before is not None and not_after is not None and not_before - skew <= moment < not_after + skew)
    audiences = conditions.findall(f"{{{SAML}}}AudienceRestriction/{{{SAML}}}Audience")
    _require(audiences and all(a.text == eid for a in audiences))
    statement = assertion.find(f"{{{SAML}}}AuthnStatement")
    _require(statement is not None)
    level = _authn_level(assertion)
    requested = LEVELS[f"https://www.spid.gov.it/{pending.level}"]
    _require(level >= requested)
    attribute_statement = assertion.find(f"{{{SAML}}}AttributeStatement")
    _require(attribute_statement is not None and attribute_statement.findall(f"{{{SAML}}}Attribute"))


def _authn_level(assertion: Any) -> int:
    ref = assertion.findtext(f"{{{SAML}}}AuthnStatement/{{{SAML}}}AuthnContext/{{{SAML}}}AuthnContextClassRef")
    level = LEVELS.get((ref or "").strip())
    _require(level is not None)
    return int(level or 0)



# An assertion's id is remembered past its validity so a replay inside the window is refused; a day more
# covers any clock skew the checks allow.
ASSERTION_MEMORY = timedelta(days=1)


def purge_expired() -> int:
    """Forget requests whose response can no longer be accepted and assertions past their validity (the
    sweep's housekeeping); how many rows went."""
    moment = now()
    request_cutoff = moment - timedelta(seconds=int(current_app.config["SAML_REQUEST_TTL_SECONDS"])) - ASSERTION_MEMORY
    assertion_cutoff = moment - ASSERTION_MEMORY
    with unit_of_work():
        requests = db.session.execute(delete(SamlRequest).where(SamlRequest.created_at < request_cutoff))
        assertions = db.session.execute(delete(SamlAssertion).where(
            func.coalesce(SamlAssertion.not_on_or_after, SamlAssertion.created_at) < assertion_cutoff))
    return int(getattr(requests, "rowcount", 0) or 0) + int(getattr(assertions, "rowcount", 0) or 0)
