"""The AuthnRequest (HTTP-Redirect, signed over the query string with the ente's key), written here
rather than by pysaml2 because SPID fixes its shape: Issuer with NameQualifier, ACS and
AttributeConsumingService indexes, ForceAuthn from L2, no IsPassive. The request is stored, so the
response must answer it."""

from __future__ import annotations

import base64
import secrets
import zlib
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from flask import current_app
from lxml import etree  # type: ignore[import-untyped]

from webapp.extensions import db
from webapp.models import SamlRequest, Tenant
from webapp.services.common.errors import BadRequest
from webapp.services.common.uow import unit_of_work

from . import _keys
from ._common import ENTITY, RSA_SHA256, SAML, SAMLP, TIME_FORMAT, TRANSIENT, check_method, entity_id, new_id, now
from ._idps import idp_named


def begin_login(tenant: Tenant, method: str, idp_entity_id: str, next_url: str, level: int | None = None) -> str:
    """Store a new AuthnRequest and return the IdP address that carries it, signed."""
    check_method(method)
    idp = idp_named(method, idp_entity_id)
    level = level or int(current_app.config["SPID_LEVEL"])
    if level not in (1, 2, 3):
        raise BadRequest("Livello SPID non valido.")
    request_id, instant, eid = new_id(), now().replace(microsecond=0), entity_id(tenant, method)
    root = etree.Element(f"{{{SAMLP}}}AuthnRequest", nsmap={"samlp": SAMLP, "saml": SAML})
    attributes = {"ID": request_id, "Version": "2.0", "IssueInstant": instant.strftime(TIME_FORMAT),
                  "Destination": idp.sso_redirect, "AssertionConsumerServiceIndex": "0",
                  "AttributeConsumingServiceIndex": "0"}
    if level > 1:  # SPID rules: a fresh authentication for L2 and L3
        attributes["ForceAuthn"] = "true"
    for name, value in attributes.items():
        root.set(name, value)
    etree.SubElement(root, f"{{{SAML}}}Issuer", Format=ENTITY, NameQualifier=eid).text = eid
    etree.SubElement(root, f"{{{SAMLP}}}NameIDPolicy", Format=TRANSIENT)
    context = etree.SubElement(root, f"{{{SAMLP}}}RequestedAuthnContext", Comparison="minimum")
    etree.SubElement(context, f"{{{SAML}}}AuthnContextClassRef").text = f"https://www.spid.gov.it/SpidL{level}"
    relay_state = secrets.token_urlsafe(24)
    target = redirect_url(tenant, idp.sso_redirect, "SAMLRequest", etree.tostring(root), relay_state)
    with unit_of_work():
        db.session.add(SamlRequest(tenant_id=tenant.id, request_id=request_id, relay_state=relay_state,
                                   method=method, idp_entity_id=idp.entity_id, level=f"SpidL{level}",
                                   issue_instant=instant, next_url=next_url))
    return target


def redirect_url(tenant: Tenant, location: str, param: str, message: bytes, relay_state: str | None) -> str:
    """The HTTP-Redirect binding: DEFLATE + base64, then an RSA-SHA256 signature over the query string
    by the ente's key."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    encoded = base64.b64encode(compressor.compress(message) + compressor.flush()).decode()
    pairs = [(param, encoded)]
    if relay_state is not None:
        pairs.append(("RelayState", relay_state))
    pairs.append(("SigAlg", RSA_SHA256))
    query = urlencode(pairs, quote_via=quote, safe="")
    signature = _keys.signing_key(tenant).sign(query.encode(), padding.PKCS1v15(), hashes.SHA256())
    query += "&Signature=" + quote(base64.b64encode(signature).decode(), safe="")
    return f"{location}{'&' if '?' in location else '?'}{query}"
