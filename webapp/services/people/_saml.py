"""SPID and CIE login through their SAML2 profiles: we are the service provider (pysaml2 + xmlsec1).

Per tenant and method there is one SP: entityID `<PUBLIC_URL>/<tenant>/<method>/metadata`, its
signed metadata at that address, an ACS and a single-logout endpoint beside it. The key pair is the
platform's (SAML_KEY_FILE / SAML_CERT_FILE), the trusted identity providers are the metadata files of
SPID_IDP_METADATA / CIE_IDP_METADATA (the AgID registry file shipped in the repository, refreshed by
`flask refresh-spid-idps`, since the registry is not reachable at run time).

The messages we send are written here rather than by pysaml2 because SPID fixes their shape (Issuer
with NameQualifier, ACS and AttributeConsumingService indexes, no IsPassive, metadata extensions for
the contact person). Responses go through pysaml2 (signature with xmlsec1, InResponseTo, Destination,
Audience, time window, trusted issuer) and then through the SPID rules pysaml2 does not know.
"""

from __future__ import annotations

import base64
import secrets
import shutil
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import Flask, current_app, url_for
from lxml import etree  # type: ignore[import-untyped]
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.sigver import CryptoBackendXmlSec1
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import SamlAssertion, SamlRequest, Tenant
from webapp.services.common.errors import BadRequest, NotFound
from webapp.services.common.uow import unit_of_work

from ._citizens import METHODS, Identity, register_provider

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
DS = "http://www.w3.org/2000/09/xmldsig#"
SPID_NS = "https://spid.gov.it/saml-extensions"
CIE_NS = "https://www.cartaidentita.interno.gov.it/saml-extensions"
NS = {"md": MD, "saml": SAML, "samlp": SAMLP, "ds": DS}
ENTITY = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
LEVELS = {f"https://www.spid.gov.it/SpidL{n}": n for n in (1, 2, 3)}
# What the SP asks for (one AttributeConsumingService, index 0); CIE releases a smaller set.
REQUESTED_ATTRIBUTES = {
    "spid": ("spidCode", "name", "familyName", "fiscalNumber", "dateOfBirth", "placeOfBirth", "email",
             "mobilePhone", "address"),
    "cie": ("name", "familyName", "fiscalNumber", "dateOfBirth"),
}
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class SamlError(BadRequest):
    """A SAML message that must be refused; the message is for the citizen, the log has the detail."""


# --- Configuration ---

def saml_configured(app: Flask) -> bool:
    return bool(app.config.get("SAML_KEY_FILE") and app.config.get("SAML_CERT_FILE"))


def _metadata_files(method: str) -> list[str]:
    raw = current_app.config.get("SPID_IDP_METADATA" if method == "spid" else "CIE_IDP_METADATA") or ""
    return [path for path in (p.strip() for p in str(raw).split(",")) if path]


def _base(tenant: Tenant, method: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/{tenant.slug}/{method}"


def entity_id(tenant: Tenant, method: str) -> str:
    return f"{_base(tenant, method)}/metadata"


def acs_url(tenant: Tenant, method: str) -> str:
    return f"{_base(tenant, method)}/acs"


def slo_url(tenant: Tenant, method: str) -> str:
    return f"{_base(tenant, method)}/slo"


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise NotFound("Metodo di accesso sconosciuto.")


def _client(tenant: Tenant, method: str) -> Saml2Client:
    key, cert = current_app.config["SAML_KEY_FILE"], current_app.config["SAML_CERT_FILE"]
    config = SPConfig()
    config.load({
        "entityid": entity_id(tenant, method),
        "xmlsec_binary": _xmlsec(),
        "key_file": key,
        "cert_file": cert,
        "encryption_keypairs": [{"key_file": key, "cert_file": cert}],
        "metadata": {"local": _metadata_files(method)},
        "accepted_time_diff": int(current_app.config["SAML_CLOCK_SKEW_SECONDS"]),
        "allow_unknown_attributes": True,
        "service": {"sp": {
            "endpoints": {
                "assertion_consumer_service": [(acs_url(tenant, method), BINDING_HTTP_POST)],
                "single_logout_service": [(slo_url(tenant, method), BINDING_HTTP_REDIRECT)],
            },
            "allow_unsolicited": False,
            "authn_requests_signed": True,
            "logout_requests_signed": True,
            "want_assertions_signed": True,
            "want_response_signed": False,
            "name_id_format": [TRANSIENT],
        }},
    })
    return Saml2Client(config=config)


def _xmlsec() -> str:
    found = shutil.which("xmlsec1")
    if found is None:
        raise RuntimeError("xmlsec1 is missing: install the Debian package xmlsec1 (make install does)")
    return found


def _certificate_b64() -> str:
    pem = Path(current_app.config["SAML_CERT_FILE"]).read_text()
    return "".join(line for line in pem.splitlines() if "-----" not in line)


def _private_key() -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(Path(current_app.config["SAML_KEY_FILE"]).read_bytes(), None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise RuntimeError("SAML_KEY_FILE must hold an RSA private key")
    return key


def _new_id() -> str:
    return "_" + secrets.token_hex(16)


def _now() -> datetime:
    return datetime.now(UTC)


# --- Identity providers we trust ---

@dataclass(frozen=True)
class IdP:
    entity_id: str
    name: str
    sso_redirect: str
    slo_redirect: str | None
    certificates: tuple[str, ...] = ()  # its signing certificates (base64 DER) from the metadata


def trusted_idps(method: str) -> list[IdP]:
    """The identity providers of the configured metadata files, in file order."""
    found: list[IdP] = []
    for path in _metadata_files(method):
        tree = etree.parse(path, _parser())
        for entity in tree.iter(f"{{{MD}}}EntityDescriptor"):
            descriptor = entity.find(f"{{{MD}}}IDPSSODescriptor")
            if descriptor is None:
                continue
            sso = _location(descriptor, "SingleSignOnService")
            if sso is None:
                continue
            name = entity.findtext(f"{{{MD}}}Organization/{{{MD}}}OrganizationDisplayName") or entity.get("entityID")
            signing = [key for key in descriptor.findall(f"{{{MD}}}KeyDescriptor")
                       if key.get("use") in (None, "signing")]
            certificates = tuple("".join((cert.text or "").split()) for key in signing
                                 for cert in key.iter(f"{{{DS}}}X509Certificate"))
            found.append(IdP(str(entity.get("entityID")), str(name).strip(), sso,
                             _location(descriptor, "SingleLogoutService"), certificates))
    return found


def _check_redirect_signature(idp: IdP, raw_query: str, param: str) -> None:
    """The HTTP-Redirect binding's signature (SAML bindings 3.4.4.1): RSA-SHA256 over the query's own
    `param`, `RelayState` and `SigAlg` as they were sent, by one of the IdP's signing certificates."""
    fields = dict(part.split("=", 1) for part in raw_query.split("&") if "=" in part)
    if unquote(fields.get("SigAlg", "")) != RSA_SHA256 or not fields.get("Signature"):
        raise SamlError("Il messaggio di uscita non è firmato come richiede SPID.")
    signed = "&".join(f"{name}={fields[name]}" for name in (param, "RelayState", "SigAlg") if name in fields)
    try:
        signature = base64.b64decode(unquote(fields["Signature"]), validate=True)
    except ValueError:
        raise SamlError("Firma del messaggio di uscita illeggibile.") from None
    for certificate in idp.certificates:
        try:
            key = x509.load_der_x509_certificate(base64.b64decode(certificate)).public_key()
            if not isinstance(key, rsa.RSAPublicKey):  # SPID's SigAlg is RSA-SHA256
                continue
            key.verify(signature, signed.encode(), padding.PKCS1v15(), hashes.SHA256())
            return
        except (InvalidSignature, ValueError, TypeError):
            continue
    raise SamlError("La firma del messaggio di uscita non è del gestore dell'identità.")


def _location(descriptor: Any, service: str) -> str | None:
    for element in descriptor.findall(f"{{{MD}}}{service}"):
        if element.get("Binding") == BINDING_HTTP_REDIRECT:
            return str(element.get("Location"))
    return None


def _idp(method: str, idp_entity_id: str) -> IdP:
    for idp in trusted_idps(method):
        if idp.entity_id == idp_entity_id:
            return idp
    raise NotFound("Gestore dell'identità sconosciuto.")


def _parser() -> etree.XMLParser:
    """No DTDs, entities or network: a SAML message is hostile input."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=False)


# --- Metadata ---

def metadata(tenant: Tenant, method: str) -> bytes:
    """The SP's metadata, signed with the platform's key (SPID rules and AgID notices)."""
    _check_method(method)
    eid, cert = entity_id(tenant, method), _certificate_b64()
    root = etree.Element(f"{{{MD}}}EntityDescriptor", nsmap={
        "md": MD, "ds": DS, "spid" if method == "spid" else "cie": SPID_NS if method == "spid" else CIE_NS})
    root.set("entityID", eid)
    root.set("ID", _new_id())
    sp = etree.SubElement(root, f"{{{MD}}}SPSSODescriptor", protocolSupportEnumeration=SAMLP,
                          AuthnRequestsSigned="true", WantAssertionsSigned="true")
    for use in ("signing", "encryption"):
        key = etree.SubElement(sp, f"{{{MD}}}KeyDescriptor", use=use)
        x509 = etree.SubElement(etree.SubElement(key, f"{{{DS}}}KeyInfo"), f"{{{DS}}}X509Data")
        etree.SubElement(x509, f"{{{DS}}}X509Certificate").text = cert
    etree.SubElement(sp, f"{{{MD}}}SingleLogoutService", Binding=BINDING_HTTP_REDIRECT,
                     Location=slo_url(tenant, method))
    etree.SubElement(sp, f"{{{MD}}}NameIDFormat").text = TRANSIENT
    etree.SubElement(sp, f"{{{MD}}}AssertionConsumerService", index="0", isDefault="true",
                     Binding=BINDING_HTTP_POST, Location=acs_url(tenant, method))
    acs = etree.SubElement(sp, f"{{{MD}}}AttributeConsumingService", index="0")
    service_name = etree.SubElement(acs, f"{{{MD}}}ServiceName")
    service_name.set("{http://www.w3.org/XML/1998/namespace}lang", "it")
    service_name.text = f"Servizi online - {tenant.name}"
    for attribute in REQUESTED_ATTRIBUTES[method]:
        etree.SubElement(acs, f"{{{MD}}}RequestedAttribute", Name=attribute)
    organization = etree.SubElement(root, f"{{{MD}}}Organization")
    public_url = current_app.config["PUBLIC_URL"].rstrip("/") + f"/{tenant.slug}/"
    for tag, text in (("OrganizationName", tenant.name), ("OrganizationDisplayName", tenant.name),
                      ("OrganizationURL", public_url)):
        element = etree.SubElement(organization, f"{{{MD}}}{tag}")
        element.set("{http://www.w3.org/XML/1998/namespace}lang", "it")
        element.text = text
    _contact(root, tenant, method)
    return sign_xml(etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
                    f"{MD}:EntityDescriptor", root.get("ID"))


def _contact(root: Any, tenant: Tenant, method: str) -> None:
    """The ContactPerson with the extensions of the AgID notices (SPID) or the CIE SAML profile."""
    email = tenant.setting("saml_contact_email") or current_app.config["SAML_CONTACT_EMAIL"]
    phone = (tenant.setting("saml_contact_phone") or current_app.config["SAML_CONTACT_PHONE"]).replace(" ", "")
    ipa = tenant.ipa_code or current_app.config["SAML_DEFAULT_IPA_CODE"]
    if method == "spid":
        contact = etree.SubElement(root, f"{{{MD}}}ContactPerson", contactType="other")
        extensions = etree.SubElement(contact, f"{{{MD}}}Extensions")
        etree.SubElement(extensions, f"{{{SPID_NS}}}IPACode").text = ipa
        etree.SubElement(extensions, f"{{{SPID_NS}}}Public")
    else:
        contact = etree.SubElement(root, f"{{{MD}}}ContactPerson", contactType="administrative")
        extensions = etree.SubElement(contact, f"{{{MD}}}Extensions")
        etree.SubElement(extensions, f"{{{CIE_NS}}}Public")
        etree.SubElement(extensions, f"{{{CIE_NS}}}IPACode").text = ipa
        municipality = tenant.setting("istat_code") or current_app.config["SAML_DEFAULT_MUNICIPALITY"]
        etree.SubElement(extensions, f"{{{CIE_NS}}}Municipality").text = municipality
        etree.SubElement(contact, f"{{{MD}}}Company").text = tenant.name
    etree.SubElement(contact, f"{{{MD}}}EmailAddress").text = email
    etree.SubElement(contact, f"{{{MD}}}TelephoneNumber").text = phone


def sign_xml(xml: bytes, node_name: str, node_id: str | None) -> bytes:
    """An enveloped RSA-SHA256 signature, first child of the signed element, by xmlsec1."""
    root = etree.fromstring(xml, _parser())
    signature = etree.fromstring(_SIGNATURE_TEMPLATE.format(id=node_id, cert=_certificate_b64()).encode())
    issuer = root.find(f"{{{SAML}}}Issuer")
    root.insert(0 if issuer is None else list(root).index(issuer) + 1, signature)
    backend = CryptoBackendXmlSec1(_xmlsec())
    signed = backend.sign_statement(etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode(),
                                    node_name, current_app.config["SAML_KEY_FILE"], node_id)
    return signed.encode() if isinstance(signed, str) else signed


_SIGNATURE_TEMPLATE = """<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>\
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>\
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>\
<ds:Reference URI="#{id}"><ds:Transforms>\
<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>\
<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>\
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>\
</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate>\
</ds:X509Data></ds:KeyInfo></ds:Signature>"""


# --- AuthnRequest (HTTP-Redirect, signed over the query string) ---

def begin_login(tenant: Tenant, method: str, idp_entity_id: str, next_url: str, level: int | None = None) -> str:
    """Store a new AuthnRequest and return the IdP address that carries it, signed."""
    _check_method(method)
    idp = _idp(method, idp_entity_id)
    level = level or int(current_app.config["SPID_LEVEL"])
    if level not in (1, 2, 3):
        raise BadRequest("Livello SPID non valido.")
    request_id, instant, eid = _new_id(), _now().replace(microsecond=0), entity_id(tenant, method)
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
    with unit_of_work():
        db.session.add(SamlRequest(tenant_id=tenant.id, request_id=request_id, relay_state=relay_state,
                                   method=method, idp_entity_id=idp.entity_id, level=f"SpidL{level}",
                                   issue_instant=instant, next_url=next_url))
    return _redirect_url(idp.sso_redirect, "SAMLRequest", etree.tostring(root), relay_state)


def _redirect_url(location: str, param: str, message: bytes, relay_state: str | None) -> str:
    """The HTTP-Redirect binding: DEFLATE + base64, then an RSA-SHA256 signature over the query string."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    encoded = base64.b64encode(compressor.compress(message) + compressor.flush()).decode()
    pairs = [(param, encoded)]
    if relay_state is not None:
        pairs.append(("RelayState", relay_state))
    pairs.append(("SigAlg", RSA_SHA256))
    query = urlencode(pairs, quote_via=quote, safe="")
    signature = _private_key().sign(query.encode(), padding.PKCS1v15(), hashes.SHA256())
    query += "&Signature=" + quote(base64.b64encode(signature).decode(), safe="")
    return f"{location}{'&' if '?' in location else '?'}{query}"


# --- Response ---

def complete_login(tenant: Tenant, method: str, saml_response: str, relay_state: str) -> tuple[Identity, str]:
    """Check a Response posted to the ACS; the identity it asserts and the page to go to next."""
    _check_method(method)
    try:
        xml = base64.b64decode(saml_response, validate=False)
        root = etree.fromstring(xml, _parser())
    except (ValueError, etree.XMLSyntaxError) as exc:
        raise SamlError("Risposta del gestore dell'identità non leggibile.") from exc
    in_response_to = root.get("InResponseTo") or ""
    pending = db.session.scalar(select(SamlRequest).where(
        SamlRequest.tenant_id == tenant.id, SamlRequest.request_id == in_response_to,
        SamlRequest.method == method).with_for_update())
    if pending is None or pending.used_at is not None or pending.relay_state != relay_state:
        raise SamlError("La risposta non corrisponde a un accesso in corso.")
    if _now() - pending.created_at.astimezone(UTC) > timedelta(seconds=current_app.config["SAML_REQUEST_TTL_SECONDS"]):
        raise SamlError("La richiesta di accesso è scaduta: riprova.")
    _check_status(root)
    _check_spid_shape(root, pending, tenant, method)
    try:
        response = _client(tenant, method).parse_authn_request_response(
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
            pending.used_at = _now()
            db.session.add(SamlAssertion(tenant_id=tenant.id, idp_entity_id=pending.idp_entity_id,
                                         assertion_id=assertion.id,
                                         not_on_or_after=_instant(conditions.get("NotOnOrAfter"))
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


def _instant(raw: str | None) -> datetime | None:
    """A SAML instant (xs:dateTime in UTC, optionally with fractions), or None if malformed."""
    if not raw or not raw.endswith("Z"):
        return None
    text = raw[:-1]
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text[:26] if "." in text else text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _require(condition: object) -> None:
    if not condition:
        raise SamlError("Risposta del gestore dell'identità non valida.")


def _check_spid_shape(root: Any, pending: SamlRequest, tenant: Tenant, method: str) -> None:
    """The SPID rules on a Response that pysaml2 does not enforce (Regole tecniche, Response)."""
    skew = timedelta(seconds=int(current_app.config["SAML_CLOCK_SKEW_SECONDS"]))
    now, sent = _now(), pending.issue_instant.astimezone(UTC)
    acs, eid = acs_url(tenant, method), entity_id(tenant, method)
    _require(root.tag == f"{{{SAMLP}}}Response" and root.get("Version") == "2.0" and root.get("ID"))
    _require(root.get("Destination") == acs)
    issued = _instant(root.get("IssueInstant"))
    _require(issued is not None and sent - skew <= issued <= now + skew)
    issuer = root.find(f"{{{SAML}}}Issuer")
    _require(issuer is not None and issuer.text == pending.idp_entity_id
             and issuer.get("Format") in (None, ENTITY))
    assertions = root.findall(f"{{{SAML}}}Assertion")
    _require(len(assertions) == 1 and len(root.findall(f".//{{{SAML}}}Assertion")) == 1)
    assertion = assertions[0]
    _require(assertion.get("ID") and assertion.get("Version") == "2.0")
    _require(assertion.find(f"{{{DS}}}Signature") is not None)
    asserted = _instant(assertion.get("IssueInstant"))
    _require(asserted is not None and sent - skew <= asserted <= now + skew)
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
    until = _instant(data.get("NotOnOrAfter"))
    _require(until is not None and until + skew > now)
    conditions = assertion.find(f"{{{SAML}}}Conditions")
    _require(conditions is not None)
    not_before, not_after = _instant(conditions.get("NotBefore")), _instant(conditions.get("NotOnOrAfter"))
    _require(not_before is not None and not_after is not None and not_before - skew <= now < not_after + skew)
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


# --- Single logout ---

def begin_logout(tenant: Tenant, identity: dict[str, Any]) -> str | None:
    """A signed LogoutRequest to the IdP the citizen logged in with, or None if it has no SLO."""
    method, provider = identity.get("method"), identity.get("provider")
    if method not in METHODS or not provider or not identity.get("name_id"):
        return None
    try:
        idp = _idp(str(method), str(provider))
    except NotFound:
        return None
    if idp.slo_redirect is None:
        return None
    eid = entity_id(tenant, str(method))
    root = etree.Element(f"{{{SAMLP}}}LogoutRequest", nsmap={"samlp": SAMLP, "saml": SAML})
    for name, value in {"ID": _new_id(), "Version": "2.0", "IssueInstant": _now().strftime(TIME_FORMAT),
                        "Destination": idp.slo_redirect}.items():
        root.set(name, value)
    etree.SubElement(root, f"{{{SAML}}}Issuer", Format=ENTITY, NameQualifier=eid).text = eid
    name_id = etree.SubElement(root, f"{{{SAML}}}NameID", Format=TRANSIENT,
                               NameQualifier=str(identity.get("name_id_qualifier") or provider))
    name_id.text = str(identity["name_id"])
    if identity.get("session_index"):
        etree.SubElement(root, f"{{{SAMLP}}}SessionIndex").text = str(identity["session_index"])
    return _redirect_url(idp.slo_redirect, "SAMLRequest", etree.tostring(root), secrets.token_urlsafe(16))


def logout_message(tenant: Tenant, method: str, query: dict[str, str], raw_query: str) -> str | None:
    """An IdP's LogoutRequest (answered with a signed LogoutResponse: the URL returned) or
    LogoutResponse (None: our logout is complete). `raw_query` is the query string as received: the
    Redirect binding's signature covers it, not the decoded values."""
    _check_method(method)
    client = _client(tenant, method)
    if "SAMLRequest" in query:
        try:
            request = client.parse_logout_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        except Exception as exc:  # pysaml2 raises many unrelated types for a refused request
            raise SamlError("Richiesta di uscita non valida.") from exc
        if request is None:
            raise SamlError("Richiesta di uscita non valida.")
        issuer = request.message.issuer.text if request.message.issuer is not None else ""
        try:
            idp = _idp(method, str(issuer).strip())
        except NotFound:
            raise SamlError("Richiesta di uscita di un gestore dell'identità sconosciuto.") from None
        _check_redirect_signature(idp, raw_query, "SAMLRequest")
        if idp.slo_redirect is None:
            return None
        eid = entity_id(tenant, method)
        root = etree.Element(f"{{{SAMLP}}}LogoutResponse", nsmap={"samlp": SAMLP, "saml": SAML})
        for name, value in {"ID": _new_id(), "Version": "2.0", "IssueInstant": _now().strftime(TIME_FORMAT),
                            "Destination": idp.slo_redirect, "InResponseTo": request.message.id}.items():
            root.set(name, value)
        etree.SubElement(root, f"{{{SAML}}}Issuer", Format=ENTITY, NameQualifier=eid).text = eid
        status = etree.SubElement(root, f"{{{SAMLP}}}Status")
        etree.SubElement(status, f"{{{SAMLP}}}StatusCode", Value=SUCCESS)
        return _redirect_url(idp.slo_redirect, "SAMLResponse", etree.tostring(root), query.get("RelayState"))
    if "SAMLResponse" in query:
        try:
            client.parse_logout_request_response(query["SAMLResponse"], BINDING_HTTP_REDIRECT)
        except Exception as exc:  # the local session is closed anyway; a bad answer is only logged
            current_app.logger.info("SAML logout response refused: %s", type(exc).__name__)
        return None
    raise SamlError("Messaggio di uscita mancante.")


# --- The provider the login page offers ---

class SamlIdentityProvider:
    """SPID and CIE for real: the browser goes to the IdP chosen on our page (the SPID button)."""

    key = "saml"

    def __init__(self, app: Flask) -> None:
        self.methods = tuple(m for m in METHODS if app.config.get(
            "SPID_IDP_METADATA" if m == "spid" else "CIE_IDP_METADATA"))

    def begin(self, method: str, next_url: str) -> str:
        return url_for("citizen.saml_choose", method=method, next=next_url)


def _saml_factory(app: Flask) -> SamlIdentityProvider | None:
    if not saml_configured(app):
        return None
    provider = SamlIdentityProvider(app)
    return provider if provider.methods else None


register_provider("saml", _saml_factory)


# --- The AgID registry of SPID identity providers ---

def refresh_idps(source: Path, target: Path) -> list[IdP]:
    """Replace the trusted SPID IdP metadata with an AgID registry file (an EntitiesDescriptor, as
    https://registry.spid.gov.it/entities-idp serves it): checked first, written only if every IdP in it
    has an HTTP-Redirect SSO endpoint and a signing certificate, so a truncated download changes nothing."""
    try:
        tree = etree.parse(str(source), _parser())
    except etree.XMLSyntaxError as exc:
        raise BadRequest(f"{source}: non è XML ({exc}).") from exc
    entities = list(tree.iter(f"{{{MD}}}EntityDescriptor"))
    idps = [e for e in entities if e.find(f"{{{MD}}}IDPSSODescriptor") is not None]
    if not idps:
        raise BadRequest(f"{source}: nessun gestore di identità (IDPSSODescriptor) nel file.")
    for entity in idps:
        descriptor = entity.find(f"{{{MD}}}IDPSSODescriptor")
        certificate = descriptor.find(f"{{{MD}}}KeyDescriptor/{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
        if certificate is None or not (certificate.text or "").strip():
            raise BadRequest(f"{entity.get('entityID')}: manca il certificato di firma.")
        if _location(descriptor, "SingleSignOnService") is None:
            raise BadRequest(f"{entity.get('entityID')}: manca il SingleSignOnService HTTP-Redirect.")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    temporary.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    temporary.replace(target)
    return [IdP(str(e.get("entityID")), str(e.findtext(f"{{{MD}}}Organization/{{{MD}}}OrganizationDisplayName")
                                          or e.get("entityID")).strip(), "", None) for e in idps]


# An assertion's id is remembered past its validity so a replay inside the window is refused; a day more
# covers any clock skew the checks allow.
ASSERTION_MEMORY = timedelta(days=1)


def purge_expired() -> int:
    """Forget requests whose response can no longer be accepted and assertions past their validity (the
    sweep's housekeeping); how many rows went."""
    now = _now()
    request_cutoff = now - timedelta(seconds=int(current_app.config["SAML_REQUEST_TTL_SECONDS"])) - ASSERTION_MEMORY
    assertion_cutoff = now - ASSERTION_MEMORY
    with unit_of_work():
        requests = db.session.execute(delete(SamlRequest).where(SamlRequest.created_at < request_cutoff))
        assertions = db.session.execute(delete(SamlAssertion).where(
            func.coalesce(SamlAssertion.not_on_or_after, SamlAssertion.created_at) < assertion_cutoff))
    return int(getattr(requests, "rowcount", 0) or 0) + int(getattr(assertions, "rowcount", 0) or 0)
