"""Single logout over HTTP-Redirect: ours to the identity provider the citizen came from (a signed
LogoutRequest), and the identity provider's (its LogoutRequest, signed over the query, answered with our
signed LogoutResponse; or its LogoutResponse to ours)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app
from lxml import etree  # type: ignore[import-untyped]
from saml2 import BINDING_HTTP_REDIRECT

from webapp.models import Tenant
from webapp.services.common.errors import NotFound

from .._citizens import METHODS
from . import _keys
from ._client import client
from ._common import (
    ENTITY,
    SAML,
    SAMLP,
    SUCCESS,
    TIME_FORMAT,
    TRANSIENT,
    SamlError,
    check_method,
    entity_id,
    new_id,
    now,
)
from ._idps import check_redirect_signature, idp_named
from ._requests import redirect_url


def begin_logout(tenant: Tenant, identity: dict[str, Any]) -> str | None:
    """A signed LogoutRequest to the IdP the citizen logged in with, or None if it has no SLO."""
    method, provider = identity.get("method"), identity.get("provider")
    if method not in METHODS or not provider or not identity.get("name_id"):
        return None
    try:
        idp = idp_named(str(method), str(provider))
    except NotFound:
        return None
    if idp.slo_redirect is None:
        return None
    eid = entity_id(tenant, str(method))
    root = etree.Element(f"{{{SAMLP}}}LogoutRequest", nsmap={"samlp": SAMLP, "saml": SAML})
    for name, value in {"ID": new_id(), "Version": "2.0", "IssueInstant": now().strftime(TIME_FORMAT),
                        "Destination": idp.slo_redirect}.items():
        root.set(name, value)
    etree.SubElement(root, f"{{{SAML}}}Issuer", Format=ENTITY, NameQualifier=eid).text = eid
    name_id = etree.SubElement(root, f"{{{SAML}}}NameID", Format=TRANSIENT,
                               NameQualifier=str(identity.get("name_id_qualifier") or provider))
    name_id.text = str(identity["name_id"])
    if identity.get("session_index"):
        etree.SubElement(root, f"{{{SAMLP}}}SessionIndex").text = str(identity["session_index"])
    return redirect_url(tenant, idp.slo_redirect, "SAMLRequest", etree.tostring(root), secrets.token_urlsafe(16))


def logout_message(tenant: Tenant, method: str, query: dict[str, str], raw_query: str) -> str | None:
    """An IdP's LogoutRequest (answered with a signed LogoutResponse: the URL returned) or
    LogoutResponse (None: our logout is complete). `raw_query` is the query string as received: the
    Redirect binding's signature covers it, not the decoded values."""
    check_method(method)
    if "SAMLRequest" in query:
        try:
            with _keys.key_files(tenant) as files:
                request = client(tenant, method, files).parse_logout_request(query["SAMLRequest"],
                                                                             BINDING_HTTP_REDIRECT)
        except Exception as exc:  # pysaml2 raises many unrelated types for a refused request
            raise SamlError("Richiesta di uscita non valida.") from exc
        if request is None:
            raise SamlError("Richiesta di uscita non valida.")
        issuer = request.message.issuer.text if request.message.issuer is not None else ""
        try:
            idp = idp_named(method, str(issuer).strip())
        except NotFound:
            raise SamlError("Richiesta di uscita di un gestore dell'identità sconosciuto.") from None
        check_redirect_signature(idp, raw_query, "SAMLRequest")
        if idp.slo_redirect is None:
            return None
        eid = entity_id(tenant, method)
        root = etree.Element(f"{{{SAMLP}}}LogoutResponse", nsmap={"samlp": SAMLP, "saml": SAML})
        for name, value in {"ID": new_id(), "Version": "2.0", "IssueInstant": now().strftime(TIME_FORMAT),
                            "Destination": idp.slo_redirect, "InResponseTo": request.message.id}.items():
            root.set(name, value)
        etree.SubElement(root, f"{{{SAML}}}Issuer", Format=ENTITY, NameQualifier=eid).text = eid
        status = etree.SubElement(root, f"{{{SAMLP}}}Status")
        etree.SubElement(status, f"{{{SAMLP}}}StatusCode", Value=SUCCESS)
        return redirect_url(tenant, idp.slo_redirect, "SAMLResponse", etree.tostring(root), query.get("RelayState"))
    if "SAMLResponse" in query:
        try:
            with _keys.key_files(tenant) as files:
                client(tenant, method, files).parse_logout_request_response(query["SAMLResponse"],
                                                                            BINDING_HTTP_REDIRECT)
        except Exception as exc:  # the local session is closed anyway; a bad answer is only logged
            current_app.logger.info("SAML logout response refused: %s", type(exc).__name__)
        return None
    raise SamlError("Messaggio di uscita mancante.")

